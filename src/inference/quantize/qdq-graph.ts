import { TsnError } from '../../errors/index.js';
import type { ActivationRange, Model, ModelManifest, QuantizationInfo, Weights } from '../../model/types.js';
import { GraphBuilder, int, ints } from '../onnx/resnet-graph.js';
import type { OnnxGraph } from '../onnx/onnx-proto.js';
import { type FoldedConv, foldConv } from '../resnet/fold-bn.js';
import type { ConvSpec, ResNetPlan } from '../resnet/plan.js';
import { equalizeWeights, featureRescale } from './equalize.js';
import { pixelInput, pixelStemConv } from './pixel-input.js';
import { INPUT_POINT, STEM_POINT, blockOutPoint, mainConvPoint, shortcutPoint } from './points.js';
import { quantizeConv } from './qdq-weights.js';
import { type CpuFeatures, type Int8WeightLimit, int8WeightLimit } from './weight-limit.js';

/** The normalisation the backbone's input went through (the manifest's). */
export type InputNormalization = Pick<ModelManifest, 'mean' | 'std'>;

/** What the graph is built for besides the table: the model's input and the CPU's kernels. */
export interface QdqTarget {
  readonly normalization: InputNormalization;
  readonly weightLimit: Int8WeightLimit;
}

/** A uint8 tensor and the point whose scale/zero point it carries. */
interface QTensor {
  readonly name: string;
  readonly point: string;
}

/**
 * The int8 backbone as an ONNX QDQ graph: images [batch,3,S,S] float -> features [batch,D] float, with
 * every activation between convs a uint8 tensor. Each Conv reads DequantizeLinear(x), int8 per-channel
 * weights and an int32 bias through DequantizeLinear, and feeds QuantizeLinear: the pattern onnxruntime's
 * QDQ transformer turns into QLinearConv (likewise DQ,DQ -> Add -> Q into QLinearAdd). ReLUs are not
 * written: a ReLU output's zero point is 0, so Q's saturation at 0 is the ReLU. MaxPool runs on uint8.
 * Every DequantizeLinear has one consumer, so each fusion sees its own.
 */
export function buildQdqBackboneGraph(
  plan: ResNetPlan,
  floatWeights: Weights,
  inputSize: number,
  quantization: QuantizationInfo,
  target: QdqTarget,
  names: { input: string; output: string },
): OnnxGraph {
  const q = new QdqBuilder(quantization, target.weightLimit);
  const weights =
    quantization.equalization === undefined
      ? floatWeights
      : equalizeWeights(plan, floatWeights, quantization.equalization);
  let x: QTensor;
  if (quantization.input === 'pixels') {
    const { normalization } = target;
    const stem = pixelStemConv(foldConv(weights, plan.stem), normalization);
    x = q.quantizeFixed(pixelInput(q.g, names.input, plan.stem.pad, normalization), PIXELS);
    x = q.convFolded(x, stem, 'stem.conv', STEM_POINT);
  } else {
    x = q.quantize(names.input, INPUT_POINT);
    x = q.conv(x, plan.stem, weights, 'stem.conv', STEM_POINT);
  }
  x = { name: q.g.node('MaxPool', 'stem.maxpool', [x.name], maxPoolAttributes), point: x.point };
  for (const block of plan.blocks) {
    const input = x;
    block.main.forEach((spec, i) => {
      x = q.conv(x, spec, weights, `${block.name}.conv${i + 1}`, mainConvPoint(block.name, i));
    });
    const short = block.shortcut
      ? q.conv(input, block.shortcut, weights, `${block.name}.downsample`, shortcutPoint(block.name))
      : input;
    const sum = q.g.node('Add', `${block.name}.add`, [q.dequantize(short), q.dequantize(x)]);
    x = q.quantize(sum, blockOutPoint(block.name));
  }
  const pooled = q.g.node('GlobalAveragePool', 'pool', [q.dequantize(x)]);
  const flat = q.g.node('Flatten', 'flatten', [pooled], [int('axis', 1)]);
  const rescale = featureRescale(plan, quantization.equalization);
  if (rescale !== null) {
    // The last stage's channels were equalised: the features are the float32 model's once divided back.
    q.g.initializers.push({ name: 'features:rescale', dims: [rescale.length], data: rescale });
    q.g.node('Mul', 'features.rescale', [flat, 'features:rescale']);
  }
  q.g.finish(names.output);
  return {
    name: `tsn-resnet${plan.depth}-backbone-int8`,
    nodes: q.g.nodes,
    initializers: q.g.initializers,
    inputs: [{ name: names.input, shape: ['batch', 3, inputSize, inputSize] }],
    outputs: [{ name: names.output, shape: ['batch', plan.featureDim] }],
  };
}

/** The input as its pixel bytes, 0-255 exactly (pixel-input.ts). */
const PIXELS = { point: 'input.pixels', range: { min: 0, max: 255, scale: 1, zeroPoint: 0 } } as const;

export const qdqTarget = (model: Pick<Model, 'manifest'>, cpu: CpuFeatures): QdqTarget => ({
  normalization: model.manifest,
  weightLimit: int8WeightLimit(cpu),
});

const maxPoolAttributes = [ints('kernel_shape', [3, 3]), ints('strides', [2, 2]), ints('pads', [1, 1, 1, 1])];

class QdqBuilder {
  readonly g = new GraphBuilder();
  private readonly declared = new Set<string>();
  /** Points whose quantization the graph fixes rather than the calibration table. */
  private readonly fixed = new Map<string, ActivationRange>();
  private dqCount = 0;

  constructor(
    private readonly quantization: QuantizationInfo,
    private readonly weightLimit: Int8WeightLimit,
  ) {}

  range(point: string): ActivationRange {
    const r = this.fixed.get(point) ?? this.quantization.ranges[point];
    if (r === undefined) {
      throw new TsnError(
        'E_MODEL_MANIFEST',
        `The int8 model's calibration table lacks activation "${point}"; re-run tsn quantize.`,
        { context: { point } },
      );
    }
    return r;
  }

  /** The folded conv with the calibration table's bias correction of node `name` subtracted, if any. */
  private corrected(folded: FoldedConv, name: string): FoldedConv {
    const correction = this.quantization.biasCorrection?.[name];
    if (correction === undefined) return folded;
    if (correction.length !== folded.spec.outChannels) {
      throw new TsnError(
        'E_MODEL_MANIFEST',
        `The int8 model's bias correction of "${name}" has ${correction.length} channels, the conv ${folded.spec.outChannels}; re-run tsn quantize.`,
        { context: { conv: name } },
      );
    }
    return { ...folded, bias: folded.bias.map((b, o) => b - (correction[o] ?? 0)) };
  }

  /** Scalar scale and zero point initializers of a point, declared once. */
  private params(point: string): [string, string] {
    const scale = `${point}:scale`;
    const zeroPoint = `${point}:zero_point`;
    if (!this.declared.has(point)) {
      const r = this.range(point);
      this.g.initializers.push({ name: scale, dims: [], data: new Float32Array([r.scale]) });
      this.g.initializers.push({ name: zeroPoint, dims: [], data: new Uint8Array([r.zeroPoint]) });
      this.declared.add(point);
    }
    return [scale, zeroPoint];
  }

  quantize(input: string, point: string): QTensor {
    return { name: this.g.node('QuantizeLinear', `${point}:q`, [input, ...this.params(point)]), point };
  }

  /** Quantizes with a range the graph fixes (not calibrated). */
  quantizeFixed(input: string, fixed: { point: string; range: ActivationRange }): QTensor {
    this.fixed.set(fixed.point, fixed.range);
    return this.quantize(input, fixed.point);
  }

  dequantize(x: QTensor): string {
    this.dqCount += 1;
    return this.g.node('DequantizeLinear', `${x.point}:dq${this.dqCount}`, [x.name, ...this.params(x.point)]);
  }

  conv(x: QTensor, spec: ConvSpec, weights: Weights, name: string, outPoint: string): QTensor {
    return this.convFolded(x, foldConv(weights, spec), name, outPoint);
  }

  convFolded(x: QTensor, folded: FoldedConv, name: string, outPoint: string): QTensor {
    const spec = folded.spec;
    const qc = quantizeConv(this.corrected(folded, name), this.range(x.point).scale, this.weightLimit);
    const o = spec.outChannels;
    const init = (suffix: string, dims: number[], data: Float32Array | Int8Array | Int32Array): string => {
      this.g.initializers.push({ name: `${name}.${suffix}`, dims, data });
      return `${name}.${suffix}`;
    };
    const w = init('weight_q', [o, spec.inChannels, spec.kernel, spec.kernel], qc.weight);
    const ws = init('weight_scale', [o], qc.weightScale);
    const wz = init('weight_zero_point', [o], new Int8Array(o));
    const b = init('bias_q', [o], qc.bias);
    const bs = init('bias_scale', [o], qc.biasScale);
    const bz = init('bias_zero_point', [o], new Int32Array(o));
    const axis = [int('axis', 0)];
    const wf = this.g.node('DequantizeLinear', `${name}.weight_dq`, [w, ws, wz], axis);
    const bf = this.g.node('DequantizeLinear', `${name}.bias_dq`, [b, bs, bz], axis);
    const y = this.g.node(
      'Conv',
      name,
      [this.dequantize(x), wf, bf],
      [
        ints('kernel_shape', [spec.kernel, spec.kernel]),
        ints('strides', [spec.stride, spec.stride]),
        ints('pads', [spec.pad, spec.pad, spec.pad, spec.pad]),
      ],
    );
    return this.quantize(y, outPoint);
  }
}
