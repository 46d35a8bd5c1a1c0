import { open } from 'node:fs/promises';
import { TsnError } from '../errors/index.js';
import type { Tensor, Weights } from './types.js';

// https://github.com/huggingface/safetensors: u64 LE header size, a JSON header, then the raw data.
// Only F32 is written or accepted; tensors must tile the data section exactly (no gaps, no overlap).

const MAX_HEADER_BYTES = 100_000_000;
const METADATA_KEY = '__metadata__';

export interface SafetensorsContents {
  readonly tensors: Weights;
  readonly metadata: Readonly<Record<string, string>>;
}

/** Writes tensors in map order, F32 little-endian, header padded to 8 bytes. */
export async function writeSafetensors(
  path: string,
  tensors: Weights,
  metadata: Readonly<Record<string, string>> = {},
): Promise<void> {
  const entries: [string, unknown][] = [[METADATA_KEY, { ...metadata }]];
  let offset = 0;
  for (const [name, t] of tensors) {
    const bytes = t.data.byteLength;
    entries.push([name, { dtype: 'F32', shape: [...t.shape], data_offsets: [offset, offset + bytes] }]);
    offset += bytes;
  }
  let header = JSON.stringify(Object.fromEntries(entries));
  header += ' '.repeat((8 - (Buffer.byteLength(header) % 8)) % 8);
  const headerBytes = Buffer.from(header, 'utf8');
  const size = Buffer.alloc(8);
  size.writeBigUInt64LE(BigInt(headerBytes.length));
  const file = await open(path, 'w');
  try {
    await file.write(size);
    await file.write(headerBytes);
    for (const t of tensors.values()) await file.write(littleEndianBytes(t.data));
    await file.sync();
  } finally {
    await file.close();
  }
}

function littleEndianBytes(data: Float32Array): Uint8Array {
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] === 1) return bytes;
  const out = new Uint8Array(data.byteLength);
  const view = new DataView(out.buffer);
  data.forEach((v, i) => view.setFloat32(i * 4, v, true));
  return out;
}

/** Parses a whole safetensors file held in memory. `source` names it in errors. */
export function parseSafetensors(file: Uint8Array, source: string): SafetensorsContents {
  const fail = (what: string): never => {
    throw new TsnError('E_MODEL_WEIGHTS', `${source} is not a valid F32 safetensors file: ${what}`, {
      context: { file: source },
    });
  };
  if (file.length < 8) fail('shorter than its 8-byte header size');
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const headerSize = Number(view.getBigUint64(0, true));
  if (headerSize > MAX_HEADER_BYTES || 8 + headerSize > file.length)
    fail(`header size ${headerSize} is impossible`);
  const header = parseHeader(file.subarray(8, 8 + headerSize), fail);
  const data = file.subarray(8 + headerSize);
  const entries = Object.entries(header)
    .filter(([name]) => name !== METADATA_KEY)
    .map(([name, entry]) => ({ name, ...tensorEntry(name, entry, fail) }));
  // Tiling first: overlapping entries must not make us copy the data section many times over.
  checkTiling([...entries], data.length, fail);
  const tensors = new Map<string, Tensor>();
  for (const e of entries) tensors.set(e.name, { shape: e.shape, data: floatsAt(data, e.begin, e.end) });
  return { tensors, metadata: metadataOf(header[METADATA_KEY], fail) };
}

function parseHeader(bytes: Uint8Array, fail: (what: string) => never): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    fail('the header is not UTF-8 JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    fail('the header is not a JSON object');
  return parsed as Record<string, unknown>;
}

function tensorEntry(
  name: string,
  entry: unknown,
  fail: (what: string) => never,
): { shape: number[]; begin: number; end: number } {
  const e = (typeof entry === 'object' && entry !== null ? entry : {}) as Record<string, unknown>;
  if (e.dtype !== 'F32') fail(`tensor ${name} has dtype ${String(e.dtype)}, only F32 is supported`);
  const shape = e.shape;
  const offsets = e.data_offsets;
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0))
    fail(`tensor ${name} has a bad shape`);
  if (
    !Array.isArray(offsets) ||
    offsets.length !== 2 ||
    !offsets.every((d) => Number.isSafeInteger(d) && d >= 0)
  ) {
    fail(`tensor ${name} has bad data_offsets`);
  }
  const [begin, end] = offsets as [number, number];
  const count = (shape as number[]).reduce((a, d) => a * d, 1);
  if (end < begin || end - begin !== count * 4) fail(`tensor ${name}: data_offsets do not match its shape`);
  return { shape: shape as number[], begin, end };
}

/** A copy, so tensors are aligned and do not pin the file buffer. */
function floatsAt(data: Uint8Array, begin: number, end: number): Float32Array {
  const copy = new Uint8Array(end - begin);
  copy.set(data.subarray(begin, end));
  const out = new Float32Array(copy.buffer);
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] === 1) return out;
  const view = new DataView(copy.buffer);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}

function checkTiling(
  ranges: { name: string; begin: number; end: number }[],
  size: number,
  fail: (w: string) => never,
): void {
  ranges.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let expected = 0;
  for (const r of ranges) {
    if (r.begin !== expected) fail(`tensor ${r.name} does not start where the previous one ends`);
    expected = r.end;
  }
  if (expected !== size) fail(`the data section has ${size} bytes, tensors cover ${expected} (truncated?)`);
}

function metadataOf(value: unknown, fail: (what: string) => never): Record<string, string> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    fail('__metadata__ is not an object');
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (typeof v !== 'string') fail(`__metadata__.${k} is not a string`);
    out[k] = v as string;
  }
  return out;
}
