// Small fakes for the pipeline tests: 1x1 frames whose pixel value encodes the frame, and linear (affine)
// backbone / head / clip functions in plain JS, so the expected logits can be computed independently.
import assert from 'node:assert/strict';
import { TestScheduler } from 'rxjs/testing';
import type { Frame, Prediction, SegmentFrame } from '../../../src/domain/index.js';

export const WALL_BASE_MS = 1_700_000_000_000;
export const FEATURE_DIM = 4;
export const NUM_CLASSES = 3;
export const LABELS = ['wave', 'run', 'fall'] as const;

export function frame(cameraId: string, ptsMs: number, value = ptsMs % 251): Frame {
  return {
    cameraId,
    width: 1,
    height: 1,
    rgb: Uint8Array.of(value, value, value),
    ptsMs,
    wallMs: WALL_BASE_MS + ptsMs,
  };
}

/** Frames every intervalMs from fromMs (inclusive) to toMs (exclusive). */
export function frames(cameraId: string, fromMs: number, toMs: number, intervalMs: number): Frame[] {
  const out: Frame[] = [];
  for (let t = fromMs; t < toMs; t += intervalMs) out.push(frame(cameraId, t));
  return out;
}

/** Affine "backbone": feature_j of view v = (j + 1) * pixel + j + v. */
export function embedOne(pixel: number, view: number, out: Float32Array, offset: number): void {
  for (let j = 0; j < FEATURE_DIM; j++) out[offset + j] = (j + 1) * pixel + j + view;
}

export function fakeEmbed(batch: readonly SegmentFrame[], views: number): Float32Array {
  const out = new Float32Array(batch.length * views * FEATURE_DIM);
  batch.forEach((s, i) => {
    for (let v = 0; v < views; v++) embedOne(s.frame.rgb[0] ?? 0, v, out, (i * views + v) * FEATURE_DIM);
  });
  return out;
}

/** fc: logits_c = sum_j W[c][j] * x_j + b_c. */
const W = [
  [0.01, -0.02, 0.03, 0.001],
  [-0.01, 0.02, 0.005, -0.003],
  [0.002, 0.001, -0.004, 0.02],
];
const B = [0.1, -0.2, 0.05];

export function fc(x: ArrayLike<number>): number[] {
  return W.map((row, c) => row.reduce((acc, w, j) => acc + w * (x[j] ?? 0), B[c] ?? 0));
}

export function fakeHead(features: Float32Array, windows: number, perWindow: number): Float32Array {
  const out = new Float32Array(windows * NUM_CLASSES);
  for (let w = 0; w < windows; w++) {
    const mean = new Array<number>(FEATURE_DIM).fill(0);
    for (let r = 0; r < perWindow; r++) {
      for (let j = 0; j < FEATURE_DIM; j++)
        mean[j] = (mean[j] ?? 0) + (features[(w * perWindow + r) * FEATURE_DIM + j] ?? 0);
    }
    out.set(fc(mean.map((v) => v / perWindow)), w * NUM_CLASSES);
  }
  return out;
}

/** Clip model computed another way: mean pixel first, then the affine backbone (mean view), then fc. */
export function fakeClip(
  frames: readonly SegmentFrame[],
  windows: number,
  numSeg: number,
  views: number,
): Float32Array {
  const out = new Float32Array(windows * NUM_CLASSES);
  for (let w = 0; w < windows; w++) {
    let pixel = 0;
    for (let s = 0; s < numSeg; s++) pixel += frames[w * numSeg + s]?.frame.rgb[0] ?? 0;
    const feature = new Float32Array(FEATURE_DIM);
    embedOne(pixel / numSeg, (views - 1) / 2, feature, 0);
    out.set(fc(feature), w * NUM_CLASSES);
  }
  return out;
}

/** Expected logits of a window given its frames' pixel values (views averaged). */
export function expectedLogits(pixels: readonly number[], views = 1): number[] {
  const mean = pixels.reduce((a, b) => a + b, 0) / pixels.length;
  const feature = new Float32Array(FEATURE_DIM);
  embedOne(mean, (views - 1) / 2, feature, 0);
  return fc(feature);
}

export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance = 1e-5): void {
  assert.equal(actual.length, expected.length, 'length');
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i] ?? Number.NaN;
    const e = expected[i] ?? Number.NaN;
    assert.ok(Math.abs(a - e) <= tolerance, `index ${i}: ${a} vs ${e}`);
  }
}

export function testScheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => assert.deepEqual(actual, expected));
}

/** A prediction with the given score vector for detector tests; window k covers [k*500, k*500 + 2000). */
export function prediction(cameraId: string, k: number, scores: readonly number[], stepMs = 500): Prediction {
  const windowStartMs = k * stepMs;
  const windowEndMs = windowStartMs + 2000;
  return {
    cameraId,
    modelId: 'fake@000000000000',
    windowStartMs,
    windowEndMs,
    windowStartWallMs: WALL_BASE_MS + windowStartMs,
    windowEndWallMs: WALL_BASE_MS + windowEndMs,
    numSeg: 4,
    segmentIndices: [k, k + 1, k + 2, k + 3],
    logits: Float32Array.from(scores),
    scores: Float32Array.from(scores),
    top: [],
  };
}

export function counterIds(): (hint: { kind: string; cameraId: string; label: string }) => string {
  let n = 0;
  return (hint) => `${hint.kind}-${hint.cameraId}-${hint.label}-${++n}`;
}
