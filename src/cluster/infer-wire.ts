// The remote-inference wire format (request/reply over NATS). Requests carry the segment frames the
// sources already produce (uint8 RGB, 224x224 for CenterCrop cameras): no re-encoding on the edge and the
// worker computes exactly what a local backend would. Replies carry float32 features: at 8 KB per
// ResNet-50 frame they are a twentieth of the request, so halving them (float16) would save little and
// move logits. Layout: u32 header length (LE), UTF-8 JSON header, then the payload bytes.
import { TsnError } from '../errors/index.js';

export const INFER_WIRE_VERSION = 1;

export interface FrameShape {
  readonly width: number;
  readonly height: number;
}

export interface InferRequest {
  readonly modelId: string;
  readonly views: number;
  readonly frames: readonly (FrameShape & { readonly rgb: Uint8Array })[];
  /** How long the edge waits for the reply: a worker drops a request queued longer (nobody is waiting). */
  readonly waitMs?: number;
}

export type InferReply =
  | {
      readonly ok: true;
      readonly worker: string;
      readonly featureDim: number;
      readonly features: Float32Array;
    }
  | { readonly ok: false; readonly worker: string; readonly code: string; readonly message: string };

export function encodeInferRequest(request: InferRequest): Uint8Array {
  const header = {
    v: INFER_WIRE_VERSION,
    model: request.modelId,
    views: request.views,
    frames: request.frames.map((f) => [f.width, f.height]),
    ...(request.waitMs === undefined ? {} : { wait: request.waitMs }),
  };
  const payload = request.frames.reduce((n, f) => n + f.rgb.byteLength, 0);
  const { bytes, offset } = withHeader(header, payload);
  let at = offset;
  for (const frame of request.frames) {
    bytes.set(frame.rgb, at);
    at += frame.rgb.byteLength;
  }
  return bytes;
}

export function decodeInferRequest(bytes: Uint8Array): InferRequest {
  const { header, body } = splitHeader(bytes);
  const shapes = header.frames;
  if (typeof header.model !== 'string' || typeof header.views !== 'number' || !Array.isArray(shapes)) {
    throw wireError('request header lacks model, views or frames');
  }
  let at = 0;
  const frames = shapes.map((shape: unknown) => {
    const [width, height] = Array.isArray(shape) ? (shape as number[]) : [];
    if (!Number.isInteger(width) || !Number.isInteger(height) || width! <= 0 || height! <= 0) {
      throw wireError('bad frame shape');
    }
    const size = width! * height! * 3;
    if (at + size > body.byteLength) throw wireError('frames shorter than their shapes');
    const rgb = body.subarray(at, at + size);
    at += size;
    return { width: width!, height: height!, rgb };
  });
  if (at !== body.byteLength) throw wireError('bytes left after the last frame');
  const wait = typeof header.wait === 'number' && header.wait > 0 ? { waitMs: header.wait } : {};
  return { modelId: header.model, views: header.views, frames, ...wait };
}

export function encodeInferReply(reply: InferReply): Uint8Array {
  if (!reply.ok) {
    return withHeader({ v: INFER_WIRE_VERSION, worker: reply.worker, error: [reply.code, reply.message] }, 0)
      .bytes;
  }
  const header = { v: INFER_WIRE_VERSION, worker: reply.worker, dim: reply.featureDim };
  const { bytes, offset } = withHeader(header, reply.features.byteLength);
  bytes.set(
    new Uint8Array(reply.features.buffer, reply.features.byteOffset, reply.features.byteLength),
    offset,
  );
  return bytes;
}

export function decodeInferReply(bytes: Uint8Array): InferReply {
  const { header, body } = splitHeader(bytes);
  const worker = typeof header.worker === 'string' ? header.worker : '?';
  if (Array.isArray(header.error)) {
    return { ok: false, worker, code: String(header.error[0]), message: String(header.error[1]) };
  }
  if (typeof header.dim !== 'number' || body.byteLength % 4 !== 0) throw wireError('bad feature reply');
  // Copy (not slice: a Node Buffer's slice is a view) so the floats are aligned and owned.
  const copy = new Uint8Array(body.byteLength);
  copy.set(body);
  const features = new Float32Array(copy.buffer);
  return { ok: true, worker, featureDim: header.dim, features };
}

function withHeader(header: unknown, payloadBytes: number): { bytes: Uint8Array; offset: number } {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const bytes = new Uint8Array(4 + json.byteLength + payloadBytes);
  new DataView(bytes.buffer).setUint32(0, json.byteLength, true);
  bytes.set(json, 4);
  return { bytes, offset: 4 + json.byteLength };
}

function splitHeader(bytes: Uint8Array): { header: Record<string, unknown>; body: Uint8Array } {
  if (bytes.byteLength < 4) throw wireError('message shorter than its header length');
  const length = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0, true);
  if (4 + length > bytes.byteLength) throw wireError('header longer than the message');
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(4, 4 + length)));
  } catch (cause) {
    throw wireError('header is not JSON', cause);
  }
  if (typeof header !== 'object' || header === null || (header as { v?: unknown }).v !== INFER_WIRE_VERSION) {
    throw wireError(`unsupported wire version (this build speaks ${INFER_WIRE_VERSION})`);
  }
  return { header: header as Record<string, unknown>, body: bytes.subarray(4 + length) };
}

function wireError(message: string, cause?: unknown): TsnError {
  return new TsnError(
    'E_CLUSTER_WIRE',
    `remote inference message: ${message}; edge and worker must run the same release`,
    {
      cause,
    },
  );
}
