import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixturesDir } from '../../helpers/paths.js';

/** What paddle_tsn_ref.py prints for one video. */
export interface ReferenceOutput {
  readonly frames: number;
  readonly indices: number[];
  readonly input_shape: number[];
  readonly top5: [number, number][];
  readonly logits: number[];
}

export const referenceDir = join(fixturesDir, 'reference');

export function readReference(name: string): ReferenceOutput {
  return JSON.parse(readFileSync(join(referenceDir, name), 'utf8')) as ReferenceOutput;
}

/** Same preprocessing (no resize): float32 rounding only. */
export const EXACT_TOLERANCE = 1e-3;
/** Resized clips: swscale instead of cv2 moves logits slightly; their shape must not change. */
export const MIN_CORRELATION = 0.9999;

export interface LogitDistance {
  readonly maxAbs: number;
  readonly correlation: number;
  readonly sameTop1: boolean;
}

export function logitDistance(ours: readonly number[], theirs: readonly number[]): LogitDistance {
  if (ours.length !== theirs.length) throw new Error(`${ours.length} logits vs ${theirs.length}`);
  let maxAbs = 0;
  ours.forEach((v, i) => (maxAbs = Math.max(maxAbs, Math.abs(v - (theirs[i] as number)))));
  return { maxAbs, correlation: pearson(ours, theirs), sameTop1: argmax(ours) === argmax(theirs) };
}

export function argmax(values: readonly number[]): number {
  let best = 0;
  values.forEach((v, i) => {
    if (v > (values[best] as number)) best = i;
  });
  return best;
}

function pearson(a: readonly number[], b: readonly number[]): number {
  const mean = (x: readonly number[]): number => x.reduce((s, v) => s + v, 0) / x.length;
  const ma = mean(a);
  const mb = mean(b);
  let ab = 0;
  let aa = 0;
  let bb = 0;
  a.forEach((v, i) => {
    const da = v - ma;
    const db = (b[i] as number) - mb;
    ab += da * db;
    aa += da * da;
    bb += db * db;
  });
  return ab / Math.sqrt(aa * bb);
}

export function describeDistance(d: LogitDistance): string {
  return `max |diff| ${d.maxAbs.toExponential(2)}, correlation ${d.correlation.toFixed(7)}, same top-1 ${d.sameTop1}`;
}
