// What the other wire formats would cost, measured beside the one infer-wire speaks (uint8 crops out,
// float32 features back): JPEG crops (encode on the edge, decode on the worker; ffmpeg's mjpeg codec,
// CPU from its own -benchmark counters) and float16 features (conversion in JS here). Each alternative
// reports bytes per frame, CPU per frame and how far it moves the features or logits.
import { spawnSync } from 'node:child_process';

export const CROP = 224;
const CROP_BYTES = CROP * CROP * 3;

/** Camera-like 224x224 RGB frames (ffmpeg testsrc2: edges, text, gradients, motion), frame-major. */
export function testFrames(ffmpeg: string, count: number): Uint8Array[] {
  const r = spawnSync(
    ffmpeg,
    ['-v', 'error', '-f', 'lavfi', '-i', `testsrc2=size=${CROP}x${CROP}:rate=8`].concat([
      '-frames:v',
      String(count),
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgb24',
      'pipe:1',
    ]),
    { maxBuffer: count * CROP_BYTES + 1024 },
  );
  if (r.status !== 0 || r.stdout.byteLength !== count * CROP_BYTES) {
    throw new Error(`ffmpeg test frames failed: ${r.stderr?.toString() ?? r.error?.message}`);
  }
  return Array.from(
    { length: count },
    (_, i) => new Uint8Array(r.stdout.subarray(i * CROP_BYTES, (i + 1) * CROP_BYTES)),
  );
}

interface FfmpegRun {
  readonly output: Buffer;
  readonly cpuSeconds: number;
}

/** Runs ffmpeg on stdin bytes; its CPU from the "bench: utime=... stime=..." line of -benchmark. */
function ffmpegRun(ffmpeg: string, args: readonly string[], input: Uint8Array): FfmpegRun {
  const r = spawnSync(ffmpeg, ['-hide_banner', '-benchmark', ...args], {
    input,
    maxBuffer: 1 << 30,
  });
  const stderr = r.stderr?.toString() ?? '';
  const m = /utime=([\d.]+)s stime=([\d.]+)s/.exec(stderr);
  if (r.status !== 0 || m === null) throw new Error(`ffmpeg ${args.join(' ')} failed: ${stderr.slice(-400)}`);
  return { output: r.stdout, cpuSeconds: Number(m[1]) + Number(m[2]) };
}

const rawIn = ['-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${CROP}x${CROP}`, '-i', 'pipe:0'];

export interface JpegResult {
  readonly quality: number;
  readonly bytesPerFrame: number;
  /** Edge: RGB -> JPEG; worker: JPEG -> RGB (ms of CPU per frame, process start-up subtracted). */
  readonly encodeCpuMsPerFrame: number;
  readonly decodeCpuMsPerFrame: number;
  /** Mean absolute difference of the decoded pixels (0..255). */
  readonly meanAbsPixelError: number;
  readonly decoded: Uint8Array[];
}

/** JPEG at ffmpeg's -q:v quality (2 best .. 31 worst); per-frame CPU = (N frames - 1 frame) / (N - 1). */
export function measureJpeg(ffmpeg: string, frames: readonly Uint8Array[], quality: number): JpegResult {
  const all = concat(frames);
  const encodeArgs = [
    ...rawIn,
    '-c:v',
    'mjpeg',
    '-q:v',
    String(quality),
    '-pix_fmt',
    'yuvj420p',
    '-f',
    'image2pipe',
    'pipe:1',
  ];
  const one = ffmpegRun(ffmpeg, encodeArgs, frames[0]!);
  const many = ffmpegRun(ffmpeg, encodeArgs, all);
  const decodeArgs = ['-f', 'mjpeg', '-i', 'pipe:0', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'];
  const decodeOne = ffmpegRun(ffmpeg, decodeArgs, one.output);
  const decodeMany = ffmpegRun(ffmpeg, decodeArgs, many.output);
  const n = frames.length;
  const decodedAll = decodeMany.output;
  if (decodedAll.byteLength !== all.byteLength) throw new Error('JPEG round trip changed the frame count');
  let error = 0;
  for (let i = 0; i < all.length; i++) error += Math.abs(all[i]! - decodedAll[i]!);
  return {
    quality,
    bytesPerFrame: many.output.byteLength / n,
    encodeCpuMsPerFrame: (Math.max(0, many.cpuSeconds - one.cpuSeconds) * 1000) / (n - 1),
    decodeCpuMsPerFrame: (Math.max(0, decodeMany.cpuSeconds - decodeOne.cpuSeconds) * 1000) / (n - 1),
    meanAbsPixelError: error / all.length,
    decoded: frames.map((_, i) => new Uint8Array(decodedAll.subarray(i * CROP_BYTES, (i + 1) * CROP_BYTES))),
  };
}

function concat(frames: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(frames.reduce((n, f) => n + f.byteLength, 0));
  let at = 0;
  for (const f of frames) {
    out.set(f, at);
    at += f.byteLength;
  }
  return out;
}

// IEEE 754 half precision, round to nearest even (what a float16 reply would carry).
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

export function toHalfBits(value: number): number {
  f32[0] = value;
  const x = u32[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant !== 0 ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    // Subnormal half: shift the full significand down, round to nearest even.
    mant |= 0x800000;
    const shift = 14 - e;
    const kept = mant >>> shift;
    const rest = mant & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    return sign | (rest > halfway || (rest === halfway && (kept & 1) === 1) ? kept + 1 : kept);
  }
  const rounded = mant + 0xfff + ((mant >>> 13) & 1);
  if (rounded & 0x800000) return e + 1 >= 0x1f ? sign | 0x7c00 : sign | ((e + 1) << 10);
  return sign | (e << 10) | (rounded >>> 13);
}

export function fromHalfBits(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant === 0 ? sign * Infinity : Number.NaN;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

export interface Float16Result {
  readonly bytesPerFrame: number;
  /** Worker: float32 -> float16; edge: float16 -> float32 (ms of CPU per frame, in this process). */
  readonly encodeCpuMsPerFrame: number;
  readonly decodeCpuMsPerFrame: number;
  readonly roundTrip: Float32Array;
}

export function measureFloat16(
  features: Float32Array,
  featureDim: number,
  headerBytes: number,
): Float16Result {
  const frames = features.length / featureDim;
  const halves = new Uint16Array(features.length);
  const back = new Float32Array(features.length);
  const repeats = Math.max(1, Math.ceil(200_000 / features.length));
  let start = process.cpuUsage();
  for (let r = 0; r < repeats; r++)
    for (let i = 0; i < features.length; i++) halves[i] = toHalfBits(features[i]!);
  const encode = process.cpuUsage(start);
  start = process.cpuUsage();
  for (let r = 0; r < repeats; r++)
    for (let i = 0; i < halves.length; i++) back[i] = fromHalfBits(halves[i]!);
  const decode = process.cpuUsage(start);
  const msPerFrame = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1000 / (repeats * frames);
  return {
    bytesPerFrame: headerBytes / frames + featureDim * 2,
    encodeCpuMsPerFrame: msPerFrame(encode),
    decodeCpuMsPerFrame: msPerFrame(decode),
    roundTrip: back,
  };
}

/** ||a - b|| / ||a|| over the whole vector. */
export function relativeError(a: Float32Array, b: Float32Array): number {
  let diff = 0;
  let norm = 0;
  for (let i = 0; i < a.length; i++) {
    diff += (a[i]! - b[i]!) ** 2;
    norm += a[i]! ** 2;
  }
  return Math.sqrt(diff / Math.max(norm, Number.MIN_VALUE));
}

export function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}
