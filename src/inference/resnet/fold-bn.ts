import { TsnError } from '../../errors/index.js';
import type { Tensor, Weights } from '../../model/types.js';
import type { ConvSpec } from './plan.js';

/** BatchNorm epsilon of PaddleVideo's ResNet (and torchvision's). */
export const BN_EPSILON = 1e-5;

/** A convolution with its BatchNorm folded in: weight OIHW [out, in, k, k] and a per-channel bias. */
export interface FoldedConv {
  readonly spec: ConvSpec;
  readonly weight: Float32Array;
  readonly bias: Float32Array;
}

export function requireTensor(weights: Weights, name: string, shape: readonly number[]): Tensor {
  const t = weights.get(name);
  if (t === undefined) {
    throw new TsnError('E_MODEL_WEIGHTS', `Model weights lack tensor "${name}"; re-convert the checkpoint.`, {
      context: { tensor: name },
    });
  }
  const expectedSize = shape.reduce((a, b) => a * b, 1);
  if (
    t.shape.length !== shape.length ||
    t.shape.some((d, i) => d !== shape[i]) ||
    t.data.length !== expectedSize
  ) {
    throw new TsnError(
      'E_MODEL_WEIGHTS',
      `Tensor "${name}" has shape [${t.shape.join(',')}] but the network needs [${shape.join(',')}]; ` +
        'the manifest depth or class count does not match the weights.',
      { context: { tensor: name, shape: t.shape, expected: shape } },
    );
  }
  return t;
}

/**
 * Inference-time BatchNorm is an affine map per output channel, so it folds into the conv:
 * w' = w * g / sqrt(v + eps), b' = beta - mean * g / sqrt(v + eps). Computed in float64 so the
 * folded float32 values are the correctly rounded ones.
 */
export function foldBatchNorm(
  convWeight: Float32Array,
  outChannels: number,
  bn: { gamma: Float32Array; beta: Float32Array; mean: Float32Array; variance: Float32Array },
  epsilon = BN_EPSILON,
): { weight: Float32Array; bias: Float32Array } {
  const perOut = convWeight.length / outChannels;
  const weight = new Float32Array(convWeight.length);
  const bias = new Float32Array(outChannels);
  for (let o = 0; o < outChannels; o++) {
    const scale = (bn.gamma[o] ?? 1) / Math.sqrt((bn.variance[o] ?? 1) + epsilon);
    bias[o] = (bn.beta[o] ?? 0) - (bn.mean[o] ?? 0) * scale;
    const base = o * perOut;
    for (let j = 0; j < perOut; j++) weight[base + j] = (convWeight[base + j] ?? 0) * scale;
  }
  return { weight, bias };
}

export function foldConv(weights: Weights, spec: ConvSpec): FoldedConv {
  const { outChannels: o, inChannels: i, kernel: k } = spec;
  const w = requireTensor(weights, spec.weight, [o, i, k, k]);
  const bnTensor = (suffix: string): Float32Array => requireTensor(weights, `${spec.bn}.${suffix}`, [o]).data;
  const folded = foldBatchNorm(w.data, o, {
    gamma: bnTensor('weight'),
    beta: bnTensor('bias'),
    mean: bnTensor('running_mean'),
    variance: bnTensor('running_var'),
  });
  return { spec, ...folded };
}

/** fc.weight [numClasses, featureDim] and fc.bias [numClasses]. */
export function fcTensors(
  weights: Weights,
  numClasses: number,
  featureDim: number,
): { weight: Float32Array; bias: Float32Array } {
  return {
    weight: requireTensor(weights, 'fc.weight', [numClasses, featureDim]).data,
    bias: requireTensor(weights, 'fc.bias', [numClasses]).data,
  };
}
