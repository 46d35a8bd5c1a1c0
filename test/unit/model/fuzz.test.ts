import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, openSync, readSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { isTsnError } from '../../../src/errors/index.js';
import { parseCheckpoint } from '../../../src/model/checkpoint.js';
import { fixturesDir } from '../../helpers/paths.js';

// Seeded mutations of real pickles: the reader and mapper must either succeed or throw a TsnError,
// never another exception, never hang, and never allocate far beyond the input.

const ITERATIONS = 3000;
const PREFIX_BYTES = 2 << 20;
const ARRAY_BUFFER_GROWTH_CAP = 256 << 20;
// A guard, not an assertion: if the machine is very slow the run stops early instead of dragging on.
const GUARD_MS = 20_000;

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function referencePrefix(): Uint8Array {
  const fd = openSync(join(fixturesDir, 'reference', 'tsn_r18_c10_p4.pdparams'), 'r');
  try {
    const buf = Buffer.alloc(PREFIX_BYTES);
    const n = readSync(fd, buf, 0, PREFIX_BYTES, 0);
    return buf.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

const INTERESTING = [0, 1, 0x7f, 0x80, 0xff, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff];

function mutate(base: Uint8Array, rnd: () => number): Uint8Array {
  let bytes = new Uint8Array(base);
  const at = (): number => Math.floor(rnd() * Math.max(1, bytes.length));
  const steps = 1 + Math.floor(rnd() * 4);
  for (let s = 0; s < steps; s++) {
    const kind = Math.floor(rnd() * 5);
    if (kind === 0) {
      bytes[at()] = Math.floor(rnd() * 256);
    } else if (kind === 1) {
      bytes = bytes.subarray(0, at());
    } else if (kind === 2) {
      const insert = Uint8Array.from({ length: 1 + Math.floor(rnd() * 8) }, () => Math.floor(rnd() * 256));
      const p = at();
      const grown = new Uint8Array(bytes.length + insert.length);
      grown.set(bytes.subarray(0, p));
      grown.set(insert, p);
      grown.set(bytes.subarray(p), p + insert.length);
      bytes = grown;
    } else {
      // Length-field edits: overwrite 4 or 8 bytes with boundary values, as if a declared size changed.
      const width = kind === 3 ? 4 : 8;
      const p = at();
      if (p + width > bytes.length) continue;
      const view = new DataView(bytes.buffer, bytes.byteOffset + p, width);
      const v = INTERESTING[Math.floor(rnd() * INTERESTING.length)] ?? 0;
      if (width === 4) view.setUint32(0, v, true);
      else view.setBigUint64(0, BigInt(v) * BigInt(1 + Math.floor(rnd() * 1024)), true);
    }
  }
  return bytes;
}

test('mutated checkpoints: success or TsnError, bounded memory', () => {
  const model = join(fixturesDir, 'model');
  const bases = [
    ...[
      'small_p2.pkl',
      'small_p4.pkl',
      'ordered_p2.pkl',
      'dtypes_p4.pkl',
      'small_p2_np2.pkl',
      'named_p2.pkl',
    ].map((f) => readFileSync(join(model, f))),
    referencePrefix(),
  ];
  const rnd = mulberry32(20261126);
  const baseline = process.memoryUsage().arrayBuffers;
  const started = Date.now();
  const codes = new Map<string, number>();
  let peak = 0;
  let runs = 0;
  for (; runs < ITERATIONS && Date.now() - started < GUARD_MS; runs++) {
    const base = bases[runs % bases.length] as Uint8Array;
    const input = mutate(base, rnd);
    let code = 'ok';
    try {
      parseCheckpoint(input);
    } catch (error) {
      if (!isTsnError(error)) {
        assert.fail(`run ${runs}: ${String(error)} (${(error as Error).stack ?? ''})`);
      }
      code = error.code;
    }
    codes.set(code, (codes.get(code) ?? 0) + 1);
    if (runs % 50 === 0) peak = Math.max(peak, process.memoryUsage().arrayBuffers - baseline);
  }
  assert.ok(runs >= 500, `only ${runs} runs`);
  assert.ok(peak < ARRAY_BUFFER_GROWTH_CAP, `arrayBuffers grew by ${peak} bytes`);
  // The mutations must reach more than one failure mode, or the fuzzer is not exercising the reader.
  assert.ok(codes.size >= 4, JSON.stringify([...codes]));
});
