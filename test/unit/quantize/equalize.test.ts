import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { encodeOnnxModel } from '../../../src/inference/onnx/onnx-proto.js';
import { buildBackboneGraph } from '../../../src/inference/onnx/resnet-graph.js';
import {
  MAX_EQUALIZATION_SCALE,
  type EqualizationGroup,
  equalizationGroups,
  equalizationScales,
  equalizeWeights,
  featureRescale,
  groupScales,
} from '../../../src/inference/quantize/equalize.js';
import { type ChannelStats, chooseEqualization } from '../../../src/inference/quantize/equalize-choice.js';
import { buildQdqBackboneGraph } from '../../../src/inference/quantize/qdq-graph.js';
import { resnetPlan } from '../../../src/inference/resnet/plan.js';
import { TsnError } from '../../../src/errors/index.js';
import type { Tensor as WeightTensor, Weights } from '../../../src/model/types.js';
import { randomModel } from '../inference/random-model.js';
import { uniformTable } from './uniform-table.js';

const SIDE = 64;

async function features(weights: Weights): Promise<Float32Array> {
  const graph = buildBackboneGraph(resnetPlan(18), weights, SIDE);
  const session = await InferenceSession.create(encodeOnnxModel(graph));
  try {
    const images = Float32Array.from({ length: 2 * 3 * SIDE * SIDE }, (_, i) => Math.sin(i * 0.37) * 2);
    const input = graph.inputs[0]?.name ?? '';
    const out = await session.run({ [input]: new Tensor('float32', images, [2, 3, SIDE, SIDE]) });
    return out[graph.outputs[0]?.name ?? '']?.data as Float32Array;
  } finally {
    await session.release();
  }
}

/** Scales in [1, 8] that differ per channel and per group. */
function someScales(depth: 18 | 50): Record<string, number[]> {
  return Object.fromEntries(
    equalizationGroups(resnetPlan(depth)).map((g, k) => [
      g.key,
      Array.from({ length: g.channels }, (_, c) => 1 + (((c + 1) * (k + 3) * 7919) % 700) / 100),
    ]),
  );
}

describe('activation equalisation', () => {
  test('groups: one per block inside it, one per residual stream; the last ends in the features', () => {
    const r18 = equalizationGroups(resnetPlan(18));
    assert.deepEqual(
      r18.map((g) => g.key),
      [
        'layer1.0.conv1',
        'layer1.1.conv1',
        'stem',
        'layer2.0.conv1',
        'layer2.1.conv1',
        'layer2.0.downsample',
        'layer3.0.conv1',
        'layer3.1.conv1',
        'layer3.0.downsample',
        'layer4.0.conv1',
        'layer4.1.conv1',
        'layer4.0.downsample',
      ],
    );
    const stem = r18.find((g) => g.key === 'stem');
    // The stem's output flows on through layer1's identity shortcuts: one stream, three producers.
    assert.deepEqual(
      stem?.producers.map((p) => p.weight),
      ['conv1.weight', 'layer1.0.conv2.weight', 'layer1.1.conv2.weight'],
    );
    assert.deepEqual(
      stem?.consumers.map((c) => c.weight),
      [
        'layer1.0.conv1.weight',
        'layer1.1.conv1.weight',
        'layer2.0.conv1.weight',
        'layer2.0.downsample.0.weight',
      ],
    );
    assert.deepEqual(
      r18.filter((g) => g.features).map((g) => g.key),
      ['layer4.0.downsample'],
    );
    const r50 = equalizationGroups(resnetPlan(50));
    assert.equal(r50.filter((g) => g.key.endsWith('.conv1') || g.key.endsWith('.conv2')).length, 32);
    // ResNet-50's first block projects, so the stem's stream is the stem alone.
    assert.deepEqual(
      r50.find((g) => g.key === 'stem')?.producers.map((p) => p.weight),
      ['conv1.weight'],
    );
  });

  test('scales: (R / r)^alpha, at least 1, at most the cap and the headroom; dead channels unscaled', () => {
    const maxima = Float64Array.from([4, 1, 0, 0.25, 1e-9]);
    assert.deepEqual(equalizationScales(maxima, 0.5), [1, 2, 1, 4, MAX_EQUALIZATION_SCALE]);
    // alpha 1 would take every channel to the tensor's range; each keeps 2x headroom below it instead.
    assert.deepEqual(equalizationScales(maxima, 1).slice(0, 4), [1, 2, 1, 8]);
    const group = equalizationGroups(resnetPlan(18)).find((g) => g.key === 'layer1.0.conv1');
    assert.ok(group);
    const wide = new Float64Array(64).fill(1);
    wide[3] = 9;
    assert.equal(groupScales([group], new Map([['layer1.0.conv1', wide]]), 0.5)['layer1.0.conv1']?.[0], 3);
  });

  test('the equalised network computes the same features, scaled by the last stream (float32, onnxruntime)', async () => {
    const model = randomModel(18, 10, 4);
    const plan = resnetPlan(18);
    const scales = someScales(18);
    const plain = await features(model.weights);
    const equalized = await features(equalizeWeights(plan, model.weights, scales));
    const rescale = featureRescale(plan, scales);
    assert.ok(rescale);
    let worst = 0;
    let norm = 0;
    plain.forEach((want, i) => {
      const got = (equalized[i] ?? 0) * (rescale[i % plan.featureDim] ?? 0);
      worst = Math.max(worst, Math.abs(got - want));
      norm = Math.max(norm, Math.abs(want));
    });
    assert.ok(worst <= 1e-4 * norm, `max |diff| ${worst} vs max |feature| ${norm}`);
    // Equalisation moved the activations: the same features come from other weights.
    assert.notDeepEqual(
      equalizeWeights(plan, model.weights, scales).get('layer1.0.conv2.weight')?.data,
      model.weights.get('layer1.0.conv2.weight')?.data,
    );
  });

  test("the int8 graph undoes the last stream's scales on the features; a table of the wrong width is refused", () => {
    const model = randomModel(18, 10, 3);
    const plan = resnetPlan(18);
    const scales = someScales(18);
    const target = { normalization: model.manifest, weightLimit: 127 as const };
    const names = { input: 'images', output: 'features' };
    const g = buildQdqBackboneGraph(
      plan,
      model.weights,
      224,
      uniformTable(plan, { equalization: scales }),
      target,
      names,
    );
    const last = g.nodes.at(-1);
    assert.equal(last?.opType, 'Mul');
    assert.deepEqual(last?.output, ['features']);
    const rescale = g.initializers.find((t) => t.name === last?.input[1])?.data;
    assert.equal(rescale?.length, 512);
    assert.ok(Math.abs(Number(rescale?.[5]) * (scales['layer4.0.downsample']?.[5] ?? 0) - 1) < 1e-6);
    const plainGraph = buildQdqBackboneGraph(plan, model.weights, 224, uniformTable(plan), target, names);
    assert.equal(plainGraph.nodes.at(-1)?.opType, 'Flatten');

    const narrow = { ...scales, 'layer2.0.conv1': [1, 2] };
    assert.throws(
      () =>
        buildQdqBackboneGraph(
          plan,
          model.weights,
          224,
          uniformTable(plan, { equalization: narrow }),
          target,
          names,
        ),
      (e: unknown) =>
        e instanceof TsnError && e.code === 'E_MODEL_MANIFEST' && /layer2\.0\.conv1/.test(e.message),
    );
  });
});

describe('choosing the equalisation strength', () => {
  const consumer = {
    weight: 'c.weight',
    bn: 'c.bn',
    inChannels: 8,
    outChannels: 4,
    kernel: 1,
    stride: 1,
    pad: 0,
  };
  const group: EqualizationGroup = {
    key: 'g',
    channels: 8,
    producers: [],
    consumers: [consumer],
    points: ['g'],
    features: false,
  };
  const tensor = (shape: number[], f: (i: number) => number): WeightTensor => ({
    shape,
    data: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => f(i)),
  });
  const weights: Weights = new Map([
    ['c.weight', tensor([4, 8, 1, 1], (i) => 0.5 + 0.5 * Math.cos(i * 2.3))],
    ['c.bn.weight', tensor([4], () => 1)],
    ['c.bn.bias', tensor([4], () => 0)],
    ['c.bn.running_mean', tensor([4], () => 0)],
    ['c.bn.running_var', tensor([4], () => 1)],
  ]);
  const statsOf = (maxAbs: number[]): Map<string, ChannelStats> =>
    new Map([
      [
        'g',
        { maxAbs: Float64Array.from(maxAbs), meanSquare: Float64Array.from(maxAbs, (m) => (m / 4) ** 2) },
      ],
    ]);

  test('channels of one width are left alone', () => {
    const { scales } = chooseEqualization([group], statsOf(new Array(8).fill(2)), weights, 127);
    assert.deepEqual(scales['g'], new Array(8).fill(1));
  });

  test('narrow channels are scaled up; 7-bit weights get no stronger scales than 8-bit ones', () => {
    const narrow = statsOf([10, 10, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05]);
    const eight = chooseEqualization([group], narrow, weights, 127);
    const seven = chooseEqualization([group], narrow, weights, 63);
    assert.ok((eight.alphas['g'] ?? 0) > 0, `alpha ${eight.alphas['g']}`);
    assert.ok((eight.scales['g']?.[2] ?? 1) > 1);
    assert.ok((seven.alphas['g'] ?? 0) <= (eight.alphas['g'] ?? 0));
  });
});
