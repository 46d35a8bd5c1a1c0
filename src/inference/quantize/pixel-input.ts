import type { GraphBuilder } from '../onnx/resnet-graph.js';
import type { FoldedConv } from '../resnet/fold-bn.js';
import type { InputNormalization } from './qdq-graph.js';

/*
 * The backbone's input is (pixel / 255 - mean[c]) / std[c] of a byte pixel: 256 values per channel. A
 * calibrated per-tensor uint8 range re-rounds them onto a grid about 1.08 pixel levels wide shared by the
 * three channels, which is noise at the very first layer (demo model: a quarter of the int8 noise on
 * its top-1/top-2 margins). Undoing the normalisation in the graph (x * 255 std[c] + 255 mean[c]) gives
 * the pixel bytes back, which uint8 holds exactly (scale 1, zero point 0), and the normalisation moves
 * into the stem conv's float weights before they are quantized.
 *
 * Padding: the float graph pads the normalised image with 0, i.e. with the mean pixel, while a quantized
 * conv pads with its zero point (pixel 0). So the image is padded in float before the affine map, and
 * the stem conv runs unpadded: only the pad itself rounds (255 mean[c] to the nearest byte).
 */

/** Pad (float, 0) -> x * 255 std[c] -> + 255 mean[c]: the pixel bytes as float, ready to quantize. */
export function pixelInput(
  g: GraphBuilder,
  input: string,
  pad: number,
  normalization: InputNormalization,
): string {
  const perChannel = (name: string, f: (c: number) => number): string => {
    g.initializers.push({ name, dims: [1, 3, 1, 1], data: Float32Array.from([0, 1, 2], f) });
    return name;
  };
  const pads = 'input.pixels.pads';
  g.initializers.push({
    name: pads,
    dims: [8],
    data: BigInt64Array.from([0, 0, pad, pad, 0, 0, pad, pad], BigInt),
  });
  const padded = g.node('Pad', 'input.pixels.pad', [input, pads]);
  const gain = perChannel('input.pixels.gain', (c) => 255 * (normalization.std[c] ?? 1));
  const offset = perChannel('input.pixels.offset', (c) => 255 * (normalization.mean[c] ?? 0));
  const scaled = g.node('Mul', 'input.pixels.mul', [padded, gain]);
  return g.node('Add', 'input.pixels.add', [scaled, offset]);
}

/**
 * The stem conv on pixel bytes: with x = (p - 255 mean[c]) / (255 std[c]), w * x + b = w' * p + b' for
 * w' = w / (255 std[c]) and b' = b - sum over c, taps of w * mean[c] / std[c]. Unpadded (pixelInput pads).
 */
export function pixelStemConv(folded: FoldedConv, normalization: InputNormalization): FoldedConv {
  const { spec } = folded;
  const taps = spec.kernel * spec.kernel;
  const weight = new Float32Array(folded.weight.length);
  const bias = new Float32Array(folded.bias);
  for (let o = 0; o < spec.outChannels; o++) {
    let shift = 0;
    for (let c = 0; c < spec.inChannels; c++) {
      const std = normalization.std[c] ?? 1;
      const mean = normalization.mean[c] ?? 0;
      const base = (o * spec.inChannels + c) * taps;
      for (let t = 0; t < taps; t++) {
        const w = folded.weight[base + t] ?? 0;
        weight[base + t] = w / (255 * std);
        shift += (w * mean) / std;
      }
    }
    bias[o] = (folded.bias[o] ?? 0) - shift;
  }
  return { spec: { ...spec, pad: 0 }, weight, bias };
}
