import type { FoldedConv } from '../resnet/fold-bn.js';
import type { Int8WeightLimit } from './weight-limit.js';

/** A folded conv's int8 weights (symmetric, one scale per output channel) and int32 bias. */
export interface QuantizedConv {
  readonly weight: Int8Array;
  readonly weightScale: Float32Array;
  /** bias / (inputScale * weightScale[c]), rounded: the integer kernels add it to the int32 accumulator. */
  readonly bias: Int32Array;
  readonly biasScale: Float32Array;
}

const INT32_MAX = 2 ** 31 - 1;

/**
 * Range +-limit (127, not -128, or 63 on CPUs whose kernels would overflow: weight-limit.ts): symmetric,
 * so the zero point is 0.
 */
export function quantizeConv(folded: FoldedConv, inputScale: number, limit: Int8WeightLimit): QuantizedConv {
  const out = folded.spec.outChannels;
  const perOut = folded.weight.length / out;
  const weight = new Int8Array(folded.weight.length);
  const weightScale = new Float32Array(out);
  const bias = new Int32Array(out);
  const biasScale = new Float32Array(out);
  for (let o = 0; o < out; o++) {
    const base = o * perOut;
    let maxAbs = 0;
    for (let j = 0; j < perOut; j++) maxAbs = Math.max(maxAbs, Math.abs(folded.weight[base + j] ?? 0));
    // An all-zero channel quantizes to zeros under any scale.
    const scale = Math.fround(maxAbs > 0 ? maxAbs / limit : 1);
    weightScale[o] = scale;
    for (let j = 0; j < perOut; j++) {
      const q = Math.round((folded.weight[base + j] ?? 0) / scale);
      weight[base + j] = Math.max(-limit, Math.min(limit, q));
    }
    const bScale = Math.fround(inputScale * scale);
    biasScale[o] = bScale;
    const b = Math.round((folded.bias[o] ?? 0) / bScale);
    bias[o] = Math.max(-INT32_MAX, Math.min(INT32_MAX, b));
  }
  return { weight, weightScale, bias, biasScale };
}
