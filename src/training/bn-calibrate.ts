// Re-estimates every BatchNorm's running statistics of a ResNet on sample images: the layers are run in
// order on the whole batch, each BN normalising with the batch's own per-channel mean and variance, which
// become its running_mean / running_var. This is what makes a randomly initialised backbone's features
// well scaled (no dead or saturated channels) on the images it will see. Development-time tool (tfjs).
import type * as tfTypes from '@tensorflow/tfjs';
import type { Tensor, Weights } from '../model/types.js';
import { BN_EPSILON } from '../inference/resnet/fold-bn.js';
import type { ConvSpec, ResNetPlan } from '../inference/resnet/plan.js';
import { oihwToHwio } from '../inference/tfjs/tfjs-resnet.js';
import type { Tf } from '../inference/tfjs/tfjs-runtime.js';

export interface BatchNormCalibration {
  /**
   * Lower bound of each running_var as a fraction of its layer's median variance (0: none). A channel
   * whose activations barely vary on the sample images would otherwise be scaled up to unit variance, and
   * with it any perturbation of its input (noise, codec, int8 rounding): docs/inference.md, INT8.
   */
  readonly varianceFloor?: number;
}

/** Returns a copy of `weights` with every BN's running_mean / running_var measured on `images` (NCHW). */
export function calibrateBatchNorm(
  tf: Tf,
  plan: ResNetPlan,
  weights: Weights,
  images: Float32Array,
  count: number,
  size: number,
  options: BatchNormCalibration = {},
): Map<string, Tensor> {
  const floor = options.varianceFloor ?? 0;
  const out = new Map(weights);
  const layer = (x: tfTypes.Tensor4D, spec: ConvSpec, relu: boolean): tfTypes.Tensor4D =>
    tf.tidy(() => {
      const w = weights.get(spec.weight) as Tensor;
      const { outChannels: o, inChannels: i, kernel: k } = spec;
      const filter = tf.tensor4d(oihwToHwio(w.data, o, i, k), [k, k, i, o]);
      const y = tf.conv2d(x, filter, spec.stride, spec.pad);
      const { mean, variance: measured } = tf.moments(y, [0, 1, 2]);
      const m = mean.dataSync() as Float32Array;
      const v = flooredVariance(measured.dataSync() as Float32Array, floor);
      const variance = tf.tensor1d(v);
      out.set(`${spec.bn}.running_mean`, { shape: [o], data: Float32Array.from(m) });
      out.set(`${spec.bn}.running_var`, { shape: [o], data: Float32Array.from(v) });
      const gamma = tf.tensor1d((weights.get(`${spec.bn}.weight`) as Tensor).data);
      const beta = tf.tensor1d((weights.get(`${spec.bn}.bias`) as Tensor).data);
      const z = tf.add(tf.mul(tf.div(tf.sub(y, mean), tf.sqrt(tf.add(variance, BN_EPSILON))), gamma), beta);
      return (relu ? tf.relu(z) : z) as tfTypes.Tensor4D;
    });
  let x = tf.tidy(
    () => tf.transpose(tf.tensor4d(images, [count, 3, size, size]), [0, 2, 3, 1]) as tfTypes.Tensor4D,
  );
  const swap = (next: tfTypes.Tensor4D): void => {
    x.dispose();
    x = next;
  };
  swap(layer(x, plan.stem, true));
  swap(tf.maxPool(x, 3, 2, 1));
  for (const block of plan.blocks) {
    const input = x;
    let y = input;
    block.main.forEach((spec, i) => {
      const next = layer(y, spec, i < block.main.length - 1);
      if (y !== input) y.dispose();
      y = next;
    });
    const short = block.shortcut ? layer(input, block.shortcut, false) : input;
    const sum = tf.tidy(() => tf.relu(tf.add(short, y)) as tfTypes.Tensor4D);
    if (short !== input) short.dispose();
    y.dispose();
    swap(sum);
  }
  x.dispose();
  return out;
}

function flooredVariance(measured: Float32Array, floor: number): Float32Array {
  const v = Float32Array.from(measured);
  if (floor <= 0) return v;
  const median = Float32Array.from(v).sort()[v.length >> 1] ?? 0;
  for (let c = 0; c < v.length; c++) v[c] = Math.max(v[c] as number, floor * median);
  return v;
}
