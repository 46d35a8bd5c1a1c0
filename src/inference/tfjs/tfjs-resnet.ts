import type * as tfTypes from '@tensorflow/tfjs';
import type { Weights } from '../../model/types.js';
import { type FoldedConv, fcTensors, foldConv } from '../resnet/fold-bn.js';
import type { ConvSpec, ResNetPlan } from '../resnet/plan.js';
import type { Tf } from './tfjs-runtime.js';

interface TfConv {
  readonly spec: ConvSpec;
  readonly filter: tfTypes.Tensor4D;
  readonly bias: tfTypes.Tensor1D;
}

interface TfBlock {
  readonly main: readonly TfConv[];
  readonly shortcut: TfConv | null;
}

/** The network's folded weights as tfjs tensors (HWIO filters). Dispose when done. */
export interface TfResNet {
  readonly stem: TfConv;
  readonly blocks: readonly TfBlock[];
  readonly fcWeight: tfTypes.Tensor2D;
  readonly fcBias: tfTypes.Tensor1D;
  readonly tensors: readonly tfTypes.Tensor[];
}

/** OIHW (PyTorch/ONNX) -> HWIO (TensorFlow). */
export function oihwToHwio(w: Float32Array, o: number, i: number, k: number): Float32Array {
  const out = new Float32Array(w.length);
  for (let oc = 0; oc < o; oc++) {
    for (let ic = 0; ic < i; ic++) {
      for (let h = 0; h < k; h++) {
        for (let x = 0; x < k; x++)
          out[((h * k + x) * i + ic) * o + oc] = w[((oc * i + ic) * k + h) * k + x] ?? 0;
      }
    }
  }
  return out;
}

export function buildTfResNet(tf: Tf, plan: ResNetPlan, weights: Weights, numClasses: number): TfResNet {
  const tensors: tfTypes.Tensor[] = [];
  const keep = <T extends tfTypes.Tensor>(t: T): T => {
    tensors.push(t);
    return t;
  };
  const conv = (spec: ConvSpec): TfConv => {
    const f: FoldedConv = foldConv(weights, spec);
    const { kernel: k, inChannels: i, outChannels: o } = spec;
    return {
      spec,
      filter: keep(tf.tensor4d(oihwToHwio(f.weight, o, i, k), [k, k, i, o])),
      bias: keep(tf.tensor1d(f.bias)),
    };
  };
  const fc = fcTensors(weights, numClasses, plan.featureDim);
  try {
    return {
      stem: conv(plan.stem),
      blocks: plan.blocks.map((b) => ({
        main: b.main.map(conv),
        shortcut: b.shortcut ? conv(b.shortcut) : null,
      })),
      fcWeight: keep(tf.tensor2d(fc.weight, [numClasses, plan.featureDim])),
      fcBias: keep(tf.tensor1d(fc.bias)),
      tensors,
    };
  } catch (error) {
    // A bad tensor halfway through must not leak the ones already uploaded.
    for (const t of tensors) t.dispose();
    throw error;
  }
}

/** Numeric pads are symmetric, PyTorch/ONNX style (TF 'same' would pad stride-2 convs asymmetrically). */
function applyConv(tf: Tf, x: tfTypes.Tensor4D, c: TfConv, relu: boolean): tfTypes.Tensor4D {
  return tf.fused.conv2d({
    x,
    filter: c.filter,
    strides: [c.spec.stride, c.spec.stride],
    pad: c.spec.pad,
    bias: c.bias,
    activation: relu ? 'relu' : 'linear',
  });
}

/** images NCHW [n, 3, s, s] -> features [n, featureDim]; call inside tf.tidy. */
export function backboneForward(
  tf: Tf,
  net: TfResNet,
  images: Float32Array,
  count: number,
  size: number,
): tfTypes.Tensor2D {
  const nchw = tf.tensor4d(images, [count, 3, size, size]);
  let x = applyConv(tf, tf.transpose(nchw, [0, 2, 3, 1]), net.stem, true);
  // Input is post-relu (>= 0) and every 3x3 window holds a real pixel, so padding cannot win the max.
  x = tf.maxPool(x, 3, 2, 1);
  for (const block of net.blocks) {
    const input = x;
    block.main.forEach((c, i) => {
      x = applyConv(tf, x, c, i < block.main.length - 1);
    });
    const short = block.shortcut ? applyConv(tf, input, block.shortcut, false) : input;
    x = tf.relu(tf.add(short, x)) as tfTypes.Tensor4D;
  }
  return tf.mean(x, [1, 2]);
}

/** features [windows, perWindow, d] -> logits [windows, numClasses]; call inside tf.tidy. */
export function headForward(
  tf: Tf,
  net: TfResNet,
  features: Float32Array,
  windows: number,
  perWindow: number,
  featureDim: number,
): tfTypes.Tensor2D {
  const mean = tf.mean(tf.tensor3d(features, [windows, perWindow, featureDim]), 1) as tfTypes.Tensor2D;
  return tf.add(tf.matMul(mean, net.fcWeight, false, true), net.fcBias);
}
