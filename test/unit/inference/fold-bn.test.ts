import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InferenceSession, Tensor as OrtTensor } from 'onnxruntime-node';
import { BN_EPSILON, foldBatchNorm } from '../../../src/inference/resnet/fold-bn.js';
import { AttributeType, encodeOnnxModel } from '../../../src/inference/onnx/onnx-proto.js';
import { gaussianSource } from '../../../src/inference/resnet/random-weights.js';
import { maxAbsDiff } from './random-model.js';

const rng = gaussianSource(42);
const random = (n: number, f: () => number): Float32Array => new Float32Array(n).map(f);

const [o, i, k, stride, pad, side] = [4, 3, 3, 2, 1, 9];
const outSide = Math.floor((side + 2 * pad - k) / stride) + 1;
const weight = random(o * i * k * k, () => rng.normal() * 0.5);
const bn = {
  gamma: random(o, () => rng.uniform() * 0.5 + 0.75),
  beta: random(o, () => rng.normal() * 0.1),
  mean: random(o, () => rng.normal() * 0.3),
  variance: random(o, () => rng.uniform() + 0.2),
};
const input = random(i * side * side, () => rng.normal());

/** Direct (unfolded) conv with zero padding, NCHW, batch 1. */
function conv(w: Float32Array, bias: Float32Array | null): Float32Array {
  const out = new Float32Array(o * outSide * outSide);
  for (let oc = 0; oc < o; oc++) {
    for (let y = 0; y < outSide; y++) {
      for (let x = 0; x < outSide; x++) {
        let sum = bias?.[oc] ?? 0;
        for (let ic = 0; ic < i; ic++) {
          for (let ky = 0; ky < k; ky++) {
            for (let kx = 0; kx < k; kx++) {
              const iy = y * stride - pad + ky;
              const ix = x * stride - pad + kx;
              if (iy < 0 || ix < 0 || iy >= side || ix >= side) continue;
              sum += (w[((oc * i + ic) * k + ky) * k + kx] ?? 0) * (input[(ic * side + iy) * side + ix] ?? 0);
            }
          }
        }
        out[(oc * outSide + y) * outSide + x] = sum;
      }
    }
  }
  return out;
}

/** conv then inference BatchNorm, computed as written in the BatchNorm definition. */
function convThenBatchNorm(): Float32Array {
  const c = conv(weight, null);
  return c.map((v, idx) => {
    const ch = Math.floor(idx / (outSide * outSide));
    const g = bn.gamma[ch] ?? 0;
    return (
      ((v - (bn.mean[ch] ?? 0)) / Math.sqrt((bn.variance[ch] ?? 0) + BN_EPSILON)) * g + (bn.beta[ch] ?? 0)
    );
  });
}

test('folded conv weights + bias equal conv followed by BatchNorm (eps 1e-5)', () => {
  const folded = foldBatchNorm(weight, o, bn);
  assert.ok(maxAbsDiff(conv(folded.weight, folded.bias), convThenBatchNorm()) < 1e-5);
});

test('onnxruntime runs the folded conv as written by the ONNX encoder (stride 2, symmetric pad 1)', async () => {
  const folded = foldBatchNorm(weight, o, bn);
  const bytes = encodeOnnxModel({
    name: 'single-conv',
    nodes: [
      {
        name: 'conv',
        opType: 'Conv',
        input: ['x', 'w', 'b'],
        output: ['y'],
        attribute: [
          { name: 'kernel_shape', type: AttributeType.INTS, ints: [k, k] },
          { name: 'strides', type: AttributeType.INTS, ints: [stride, stride] },
          { name: 'pads', type: AttributeType.INTS, ints: [pad, pad, pad, pad] },
        ],
      },
    ],
    initializers: [
      { name: 'w', dims: [o, i, k, k], data: folded.weight },
      { name: 'b', dims: [o], data: folded.bias },
    ],
    inputs: [{ name: 'x', shape: [1, i, side, side] }],
    outputs: [{ name: 'y', shape: [1, o, outSide, outSide] }],
  });
  const session = await InferenceSession.create(bytes);
  try {
    const result = await session.run({ x: new OrtTensor('float32', input, [1, i, side, side]) });
    const y = result.y?.data;
    assert.ok(y instanceof Float32Array);
    assert.deepEqual(result.y?.dims, [1, o, outSide, outSide]);
    assert.ok(maxAbsDiff(y, convThenBatchNorm()) < 1e-5);
  } finally {
    await session.release();
  }
});
