import type { Model, ResNetDepth, Weights } from '../../../src/model/types.js';
import { MODEL_FORMAT, MODEL_FORMAT_VERSION } from '../../../src/model/types.js';
import { randomResNetWeights } from '../../../src/inference/resnet/random-weights.js';
import { resnetPlan } from '../../../src/inference/resnet/plan.js';
import { gaussianSource } from '../../../src/inference/resnet/random-weights.js';

/** An in-memory model with seeded random weights (no model directory on disk). */
export function randomModel(depth: ResNetDepth, numClasses: number, seed = 1): Model {
  return modelWithWeights(depth, numClasses, randomResNetWeights(depth, numClasses, seed), `random@${seed}`);
}

export function modelWithWeights(
  depth: ResNetDepth,
  numClasses: number,
  weights: Weights,
  source: string,
): Model {
  const featureDim = resnetPlan(depth).featureDim;
  return {
    dir: `memory:resnet${depth}`,
    id: `r${depth}-c${numClasses}-${source}`,
    labels: Array.from({ length: numClasses }, (_, i) => `class_${i}`),
    weights,
    manifest: {
      format: MODEL_FORMAT,
      formatVersion: MODEL_FORMAT_VERSION,
      architecture: 'tsn-resnet',
      depth,
      numClasses,
      featureDim,
      inputSize: 224,
      scaleShortSide: 256,
      mean: [0.485, 0.456, 0.406],
      std: [0.229, 0.224, 0.225],
      defaultNumSeg: 8,
      source: { file: 'random', sha256: '0'.repeat(64), format: 'paddle-pdparams' },
      weightsFile: 'weights.safetensors',
      labelsFile: 'labels.txt',
    },
  };
}

/** Normalised-image-like values (roughly N(0,1)). */
export function randomImages(count: number, seed: number, size = 224): Float32Array {
  const rng = gaussianSource(seed);
  return new Float32Array(count * 3 * size * size).map(() => rng.normal());
}

export function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] ?? 0) - (b[i] ?? 0)));
  return m;
}

export function maxAbs(a: Float32Array): number {
  return a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
}
