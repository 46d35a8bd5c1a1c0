// From logits to Prediction, and the packing of several cameras' windows into one head call. Pure.
import type { Prediction } from '../domain/index.js';
import { TsnError } from '../errors/index.js';
import { softmax, topK } from './scores.js';
import type { WindowSpec } from './segmenter.js';
import type { ReadyWindow } from './window-assembler.js';

export interface PredictionContext {
  readonly modelId: string;
  readonly labels: readonly string[];
  readonly topKOf: (cameraId: string) => number;
}

/** One head call: windows x perWindow x featureDim, for windows sharing perWindow and featureDim. */
export interface HeadCall {
  readonly windows: readonly ReadyWindow[];
  readonly features: Float32Array;
  readonly perWindow: number;
}

/** Groups ready windows (across cameras) into as few head calls as their shapes allow. */
export function packHeadCalls(ready: readonly ReadyWindow[]): HeadCall[] {
  const groups = new Map<string, ReadyWindow[]>();
  for (const w of ready) {
    const key = `${w.perWindow}x${w.featureDim}`;
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [w]);
    else group.push(w);
  }
  return [...groups.values()].map((windows) => {
    const first = windows[0] as ReadyWindow;
    const size = first.features.length;
    const features = new Float32Array(size * windows.length);
    windows.forEach((w, i) => features.set(w.features, i * size));
    return { windows, features, perWindow: first.perWindow };
  });
}

/** Splits windows x numClasses logits into one Prediction per window. */
export function toPredictions(
  specs: readonly WindowSpec[],
  logits: Float32Array,
  context: PredictionContext,
): Prediction[] {
  const numClasses = logits.length / specs.length;
  if (specs.length === 0 || !Number.isInteger(numClasses) || numClasses === 0) {
    throw new TsnError(
      'E_PIPELINE_HEAD',
      `head returned ${logits.length} logits for ${specs.length} windows: expected windows x numClasses`,
      { context: { logits: logits.length, windows: specs.length } },
    );
  }
  return specs.map((spec, i) => {
    const windowLogits = logits.slice(i * numClasses, (i + 1) * numClasses);
    return predictionOf(spec, windowLogits, context);
  });
}

export function predictionOf(spec: WindowSpec, logits: Float32Array, context: PredictionContext): Prediction {
  const first = spec.segments[0];
  const last = spec.segments[spec.segments.length - 1];
  const startOffset = first === undefined ? 0 : first.frame.wallMs - first.frame.ptsMs;
  const endOffset = last === undefined ? 0 : last.frame.wallMs - last.frame.ptsMs;
  const scores = softmax(logits);
  return {
    cameraId: spec.cameraId,
    modelId: context.modelId,
    windowStartMs: spec.startMs,
    windowEndMs: spec.endMs,
    windowStartWallMs: spec.startMs + startOffset,
    windowEndWallMs: spec.endMs + endOffset,
    numSeg: spec.segments.length,
    segmentIndices: spec.segments.map((s) => s.segmentIndex),
    logits,
    scores,
    top: topK(scores, context.topKOf(spec.cameraId), context.labels),
  };
}

/** Wall time of the window's last frame: where end-to-end latency is measured from. */
export function lastFrameWallMs(spec: WindowSpec): number {
  return spec.segments[spec.segments.length - 1]?.frame.wallMs ?? Number.NaN;
}
