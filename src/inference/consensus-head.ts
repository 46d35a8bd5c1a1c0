import { TsnError } from '../errors/index.js';
import type { Weights } from '../model/types.js';

export type HeadFunction = (features: Float32Array, windows: number, perWindow: number) => Float32Array;

/**
 * TSN's head in plain JavaScript: logits = fc(mean of a window's features). About featureDim x numClasses
 * multiply-adds per window (0.8 M for ResNet-50 on Kinetics-400, well under a millisecond), so it runs on
 * the caller's thread instead of queueing behind a backbone call that may take hundreds of milliseconds.
 * Sums are in float64, so it is at least as exact as the runtime's float32 Gemm.
 */
export function createConsensusHead(weights: Weights, featureDim: number, numClasses: number): HeadFunction {
  const fc = weights.get('fc.weight');
  const bias = weights.get('fc.bias');
  if (fc?.data.length !== numClasses * featureDim || bias?.data.length !== numClasses) {
    throw new TsnError(
      'E_MODEL_WEIGHTS',
      `fc.weight must be [${numClasses}, ${featureDim}] and fc.bias [${numClasses}].`,
      {
        context: { fcShape: fc?.shape, biasShape: bias?.shape },
      },
    );
  }
  const w = fc.data;
  const b = bias.data;
  const mean = new Float64Array(featureDim);
  return (features, windows, perWindow) => {
    const logits = new Float32Array(windows * numClasses);
    for (let win = 0; win < windows; win++) {
      mean.fill(0);
      const base = win * perWindow * featureDim;
      for (let v = 0; v < perWindow; v++) {
        const row = base + v * featureDim;
        for (let d = 0; d < featureDim; d++) mean[d] = (mean[d] as number) + (features[row + d] as number);
      }
      for (let d = 0; d < featureDim; d++) mean[d] = (mean[d] as number) / perWindow;
      for (let c = 0; c < numClasses; c++) {
        logits[win * numClasses + c] = (b[c] as number) + dot(mean, w, c * featureDim, featureDim);
      }
    }
    return logits;
  };
}

/**
 * mean . w[row, row + n), in float64. Four partial sums: one running sum makes every multiply-add wait for
 * the previous add (about 3x slower; the head was 8 % of a core at 36 cameras).
 */
function dot(mean: Float64Array, w: Float32Array, row: number, n: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let d = 0;
  for (; d + 3 < n; d += 4) {
    s0 += (mean[d] as number) * (w[row + d] as number);
    s1 += (mean[d + 1] as number) * (w[row + d + 1] as number);
    s2 += (mean[d + 2] as number) * (w[row + d + 2] as number);
    s3 += (mean[d + 3] as number) * (w[row + d + 3] as number);
  }
  for (; d < n; d++) s0 += (mean[d] as number) * (w[row + d] as number);
  return s0 + s1 + s2 + s3;
}
