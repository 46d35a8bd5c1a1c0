import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildBackboneGraph, buildHeadGraph } from '../../../src/inference/onnx/resnet-graph.js';
import { decodeOnnxModel, encodeOnnxModel } from '../../../src/inference/onnx/onnx-proto.js';
import type { OnnxGraph } from '../../../src/inference/onnx/onnx-proto.js';
import { backboneMacs, resnetPlan } from '../../../src/inference/resnet/plan.js';
import { randomModel } from './random-model.js';

function opCounts(graph: OnnxGraph): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const n of graph.nodes) counts[n.opType] = (counts[n.opType] ?? 0) + 1;
  return counts;
}

describe('ResNet plan', () => {
  test('feature width and block counts per depth', () => {
    assert.deepEqual(
      ([18, 34, 50, 101] as const).map((d) => [resnetPlan(d).featureDim, resnetPlan(d).blocks.length]),
      [
        [512, 8],
        [512, 16],
        [2048, 16],
        [2048, 33],
      ],
    );
  });

  test('stride sits in conv1 of basic blocks and conv2 (the 3x3) of bottlenecks', () => {
    const basic = resnetPlan(18).blocks[2];
    assert.deepEqual(
      basic?.main.map((c) => [c.weight, c.stride]),
      [
        ['layer2.0.conv1.weight', 2],
        ['layer2.0.conv2.weight', 1],
      ],
    );
    const bottleneck = resnetPlan(50).blocks[3];
    assert.deepEqual(
      bottleneck?.main.map((c) => [c.kernel, c.stride]),
      [
        [1, 1],
        [3, 2],
        [1, 1],
      ],
    );
    assert.equal(bottleneck?.shortcut?.weight, 'layer2.0.downsample.0.weight');
    // layer1.0 of a bottleneck net projects 64 -> 256 at stride 1; of a basic net it is identity.
    assert.equal(resnetPlan(50).blocks[0]?.shortcut?.stride, 1);
    assert.equal(resnetPlan(18).blocks[0]?.shortcut, null);
  });

  test('MACs per 224x224 frame match the published figures (ResNet-18 1.81 G, ResNet-50 4.09 G)', () => {
    const r18 = backboneMacs(resnetPlan(18), 224);
    const r50 = backboneMacs(resnetPlan(50), 224);
    assert.ok(Math.abs(r18 / 1.814e9 - 1) < 0.01, `ResNet-18 ${r18}`);
    assert.ok(Math.abs(r50 / 4.087e9 - 1) < 0.01, `ResNet-50 ${r50}`);
  });
});

const model = randomModel(18, 10);

describe('ONNX backbone graph', () => {
  const graph = buildBackboneGraph(resnetPlan(18), model.weights, 224);

  test('depth 18: op types and counts (BN folded away)', () => {
    assert.equal(graph.nodes.length, 48);
    assert.deepEqual(opCounts(graph), {
      Conv: 20,
      Relu: 17,
      MaxPool: 1,
      Add: 8,
      GlobalAveragePool: 1,
      Flatten: 1,
    });
    assert.equal(graph.initializers.length, 40, 'a folded weight and a bias per conv');
    assert.deepEqual(
      graph.nodes.slice(0, 3).map((n) => n.opType),
      ['Conv', 'Relu', 'MaxPool'],
    );
    assert.deepEqual(
      graph.nodes.slice(-2).map((n) => n.opType),
      ['GlobalAveragePool', 'Flatten'],
    );
  });

  test('stem and max-pool attributes are PyTorch-style symmetric pads', () => {
    const attrs = (i: number): Record<string, unknown> =>
      Object.fromEntries((graph.nodes[i]?.attribute ?? []).map((a) => [a.name, a.ints ?? a.i]));
    assert.deepEqual(attrs(0), { kernel_shape: [7, 7], strides: [2, 2], pads: [3, 3, 3, 3] });
    assert.deepEqual(attrs(2), { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] });
  });

  test('depth 50: bottleneck node counts', () => {
    const g50 = buildBackboneGraph(resnetPlan(50), randomModel(50, 4).weights, 224);
    assert.deepEqual(opCounts(g50), {
      Conv: 53,
      Relu: 49,
      MaxPool: 1,
      Add: 16,
      GlobalAveragePool: 1,
      Flatten: 1,
    });
  });

  test('serialised model: ir_version 8, opset 17, named dynamic-batch input and output', () => {
    const decoded = decodeOnnxModel(encodeOnnxModel(graph)) as {
      irVersion: number;
      opsetImport: { version: number }[];
      graph: { input: unknown[]; output: unknown[]; node: unknown[] };
    };
    assert.equal(decoded.irVersion, 8);
    assert.deepEqual(
      decoded.opsetImport.map((o) => o.version),
      [17],
    );
    assert.equal(decoded.graph.node.length, 48);
    const shapeOf = (v: unknown): unknown => {
      const dims = (
        v as { type: { tensorType: { shape: { dim: { dimValue?: number; dimParam?: string }[] } } } }
      ).type.tensorType.shape.dim;
      return dims.map((d) => d.dimParam ?? d.dimValue);
    };
    assert.deepEqual(
      decoded.graph.input.map((v) => [(v as { name: string }).name, shapeOf(v)]),
      [['images', ['batch', 3, 224, 224]]],
    );
    assert.deepEqual(
      decoded.graph.output.map((v) => [(v as { name: string }).name, shapeOf(v)]),
      [['features', ['batch', 512]]],
    );
  });
});

describe('ONNX head graph', () => {
  test('features [windows, per_window, D] -> ReduceMean over axis 1 -> Gemm(transB) -> logits', () => {
    const g = buildHeadGraph(model.weights, 512, 10);
    assert.deepEqual(
      g.nodes.map((n) => [n.opType, n.attribute.map((a) => [a.name, a.ints ?? a.i])]),
      [
        [
          'ReduceMean',
          [
            ['axes', [1]],
            ['keepdims', 0],
          ],
        ],
        ['Gemm', [['transB', 1]]],
      ],
    );
    assert.deepEqual(g.inputs, [{ name: 'features', shape: ['windows', 'per_window', 512] }]);
    assert.deepEqual(g.outputs, [{ name: 'logits', shape: ['windows', 10] }]);
  });
});
