import type { Weights } from '../../model/types.js';
import { type FoldedConv, fcTensors, foldConv } from '../resnet/fold-bn.js';
import type { ConvSpec, ResNetPlan } from '../resnet/plan.js';
import {
  AttributeType,
  type OnnxAttribute,
  type OnnxGraph,
  type OnnxInitializer,
  type OnnxNode,
} from './onnx-proto.js';

export const BACKBONE_INPUT = 'images';
export const BACKBONE_OUTPUT = 'features';
export const HEAD_INPUT = 'features';
export const HEAD_OUTPUT = 'logits';

export const ints = (name: string, values: readonly number[]): OnnxAttribute => ({
  name,
  type: AttributeType.INTS,
  ints: values,
});
export const int = (name: string, value: number): OnnxAttribute => ({
  name,
  type: AttributeType.INT,
  i: value,
});

/** Accumulates nodes and initializers; one instance per graph being built. */
export class GraphBuilder {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: OnnxInitializer[] = [];

  node(
    opType: string,
    name: string,
    input: readonly string[],
    attribute: readonly OnnxAttribute[] = [],
  ): string {
    const output = `${name}:out`;
    this.nodes.push({ name, opType, input, output: [output], attribute });
    return output;
  }

  conv(input: string, folded: FoldedConv, name: string): string {
    const c: ConvSpec = folded.spec;
    const w = `${c.weight}:folded`;
    const b = `${c.bn}:folded_bias`;
    this.initializers.push({
      name: w,
      dims: [c.outChannels, c.inChannels, c.kernel, c.kernel],
      data: folded.weight,
    });
    this.initializers.push({ name: b, dims: [c.outChannels], data: folded.bias });
    return this.node(
      'Conv',
      name,
      [input, w, b],
      [
        ints('kernel_shape', [c.kernel, c.kernel]),
        ints('strides', [c.stride, c.stride]),
        ints('pads', [c.pad, c.pad, c.pad, c.pad]),
      ],
    );
  }

  /** Renames the last node's output to a graph output name. */
  finish(outputName: string): void {
    const last = this.nodes.pop();
    if (last) this.nodes.push({ ...last, output: [outputName] });
  }
}

/**
 * Backbone: images [batch, 3, S, S] -> features [batch, featureDim]. BatchNorm is folded into each conv
 * (weights and a conv bias), so the graph is Conv/Relu/MaxPool/Add/GlobalAveragePool/Flatten only.
 */
export function buildBackboneGraph(plan: ResNetPlan, weights: Weights, inputSize: number): OnnxGraph {
  const g = new GraphBuilder();
  let x = g.conv(BACKBONE_INPUT, foldConv(weights, plan.stem), 'stem.conv');
  x = g.node('Relu', 'stem.relu', [x]);
  x = g.node(
    'MaxPool',
    'stem.maxpool',
    [x],
    [ints('kernel_shape', [3, 3]), ints('strides', [2, 2]), ints('pads', [1, 1, 1, 1])],
  );
  for (const block of plan.blocks) {
    const input = x;
    block.main.forEach((spec, i) => {
      x = g.conv(x, foldConv(weights, spec), `${block.name}.conv${i + 1}`);
      if (i < block.main.length - 1) x = g.node('Relu', `${block.name}.relu${i + 1}`, [x]);
    });
    const short = block.shortcut
      ? g.conv(input, foldConv(weights, block.shortcut), `${block.name}.downsample`)
      : input;
    x = g.node('Add', `${block.name}.add`, [short, x]);
    x = g.node('Relu', `${block.name}.relu`, [x]);
  }
  x = g.node('GlobalAveragePool', 'pool', [x]);
  g.node('Flatten', 'flatten', [x], [int('axis', 1)]);
  g.finish(BACKBONE_OUTPUT);
  return {
    name: `tsn-resnet${plan.depth}-backbone`,
    nodes: g.nodes,
    initializers: g.initializers,
    inputs: [{ name: BACKBONE_INPUT, shape: ['batch', 3, inputSize, inputSize] }],
    outputs: [{ name: BACKBONE_OUTPUT, shape: ['batch', plan.featureDim] }],
  };
}

/**
 * Head: features [windows, perWindow, featureDim] -> logits [windows, numClasses] = fc(mean over
 * perWindow). TSN's consensus averages features before fc, which is what lets frames be shared.
 */
export function buildHeadGraph(weights: Weights, featureDim: number, numClasses: number): OnnxGraph {
  const fc = fcTensors(weights, numClasses, featureDim);
  const g = new GraphBuilder();
  g.initializers.push({ name: 'fc.weight', dims: [numClasses, featureDim], data: fc.weight });
  g.initializers.push({ name: 'fc.bias', dims: [numClasses], data: fc.bias });
  // Opset 17 ReduceMean takes axes as an attribute (it became an input in opset 18).
  const mean = g.node('ReduceMean', 'consensus', [HEAD_INPUT], [ints('axes', [1]), int('keepdims', 0)]);
  g.node('Gemm', 'fc', [mean, 'fc.weight', 'fc.bias'], [int('transB', 1)]);
  g.finish(HEAD_OUTPUT);
  return {
    name: 'tsn-head',
    nodes: g.nodes,
    initializers: g.initializers,
    inputs: [{ name: HEAD_INPUT, shape: ['windows', 'per_window', featureDim] }],
    outputs: [{ name: HEAD_OUTPUT, shape: ['windows', numClasses] }],
  };
}
