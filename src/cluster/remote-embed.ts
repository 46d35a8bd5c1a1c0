// The edge's side of remote inference: an EmbedFn that sends segment frames to the model's subject (a queue
// group of workers) and returns their features. A request that times out or is refused is retried once
// (the queue group picks a worker at random, usually another one); then the error reaches the pipeline,
// whose lost-segment policy applies. Batches are split so no message exceeds the server's max_payload.
import type { NatsConnection } from 'nats';
import { from, type ObservableInput } from 'rxjs';
import type { SegmentFrame } from '../domain/index.js';
import { TsnError } from '../errors/index.js';
import type { EmbedFn } from '../pipeline/inference-stages.js';
import { decodeInferReply, encodeInferRequest } from './infer-wire.js';

export interface RemoteEmbedOptions {
  readonly modelId: string;
  readonly subject: string;
  readonly timeoutMs: number;
  /** Attempts per request (default 2: the first and one retry). */
  readonly attempts?: number;
  /** Wall clock for round-trip figures. */
  readonly now: () => number;
}

export interface RemoteEmbedStats {
  requests: number;
  retries: number;
  failures: number;
  bytesOut: number;
  bytesIn: number;
  /** Round trips since the last drain (ms), for the metrics histogram; the oldest go beyond the bound. */
  roundTripsMs: number[];
  roundTripsDropped: number;
}

/** Round-trip samples kept between two metric scrapes. */
export const MAX_ROUND_TRIP_SAMPLES = 4096;

export function createRemoteEmbed(
  nc: NatsConnection,
  options: RemoteEmbedOptions,
): { embed: EmbedFn; stats: RemoteEmbedStats } {
  const stats: RemoteEmbedStats = {
    requests: 0,
    retries: 0,
    failures: 0,
    bytesOut: 0,
    bytesIn: 0,
    roundTripsMs: [],
    roundTripsDropped: 0,
  };
  const attempts = options.attempts ?? 2;

  async function requestOnce(frames: readonly SegmentFrame[], views: number): Promise<Float32Array> {
    const data = encodeInferRequest({
      modelId: options.modelId,
      views,
      waitMs: options.timeoutMs,
      frames: frames.map((s) => ({ width: s.frame.width, height: s.frame.height, rgb: s.frame.rgb })),
    });
    const started = options.now();
    stats.requests++;
    stats.bytesOut += data.byteLength;
    let replyBytes: Uint8Array;
    try {
      replyBytes = (await nc.request(options.subject, data, { timeout: options.timeoutMs })).data;
    } catch (cause) {
      throw new TsnError(
        'E_CLUSTER_INFER_TIMEOUT',
        `no inference worker answered for model ${options.modelId} within ${options.timeoutMs} ms; start a worker (tsn serve --role infer) holding this model`,
        { cause, context: { modelId: options.modelId, subject: options.subject } },
      );
    }
    stats.bytesIn += replyBytes.byteLength;
    stats.roundTripsMs.push(options.now() - started);
    if (stats.roundTripsMs.length > MAX_ROUND_TRIP_SAMPLES) {
      stats.roundTripsMs.shift();
      stats.roundTripsDropped++;
    }
    const reply = decodeInferReply(replyBytes);
    if (!reply.ok) {
      throw new TsnError(
        'E_CLUSTER_INFER_FAILED',
        `worker ${reply.worker}: ${reply.code}: ${reply.message}`,
        {
          context: { worker: reply.worker, code: reply.code },
        },
      );
    }
    return reply.features;
  }

  async function withRetry(frames: readonly SegmentFrame[], views: number): Promise<Float32Array> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await requestOnce(frames, views);
      } catch (error) {
        if (attempt >= attempts) {
          stats.failures++;
          throw error;
        }
        stats.retries++;
      }
    }
  }

  async function embedAll(batch: readonly SegmentFrame[], views: number): Promise<Float32Array> {
    const chunks = chunkByBytes(batch, Math.max(1, nc.info?.max_payload ?? 1_048_576) - 4096);
    const parts = await Promise.all(chunks.map((chunk) => withRetry(chunk, views)));
    const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const part of parts) {
      out.set(part, at);
      at += part.length;
    }
    return out;
  }

  const embed: EmbedFn = (batch, views): ObservableInput<Float32Array> => from(embedAll(batch, views));
  return { embed, stats };
}

function chunkByBytes(batch: readonly SegmentFrame[], maxBytes: number): SegmentFrame[][] {
  const chunks: SegmentFrame[][] = [];
  let current: SegmentFrame[] = [];
  let bytes = 0;
  for (const segment of batch) {
    const size = segment.frame.rgb.byteLength;
    if (current.length > 0 && bytes + size > maxBytes) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(segment);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/** The subject a model's requests go to: one per model id, so a worker only hears models it holds. */
export function inferSubject(prefix: string, modelId: string): string {
  return `${prefix}.infer.${modelId.replace(/[^A-Za-z0-9_-]/g, '_')}`;
}
