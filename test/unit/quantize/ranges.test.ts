import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { isTsnError } from '../../../src/errors/index.js';
import { compareLogits } from '../../../src/inference/quantize/agreement.js';
import { buildQdqBackboneGraph } from '../../../src/inference/quantize/qdq-graph.js';
import { quantizeConv } from '../../../src/inference/quantize/qdq-weights.js';
import { resnetPlan } from '../../../src/inference/resnet/plan.js';
import type { QuantizationInfo } from '../../../src/model/types.js';
import {
  Histogram,
  MinMax,
  chooseRange,
  histogramFor,
  uint8Range,
} from '../../../src/inference/quantize/ranges.js';
import { gaussianSource } from '../../../src/inference/resnet/random-weights.js';
import { parseManifest } from '../../../src/model/manifest.js';
import { randomModel } from '../inference/random-model.js';
import { uniformTable } from './uniform-table.js';

/** 100000 values: a bulk in [0, 1) and five far outliers at 50 (below the 0.01% percentile tail). */
function longTail(): Float32Array {
  const v = new Float32Array(100_000).map((_, i) => (i % 997) / 997);
  for (let i = 0; i < 5; i++) v[i * 10_000] = 50;
  return v;
}

function calibrated(method: 'minmax' | 'percentile' | 'entropy', values: Float32Array, nonNegative = true) {
  const m = new MinMax();
  m.add(values);
  const h = method === 'minmax' ? undefined : histogramFor(method, m, nonNegative);
  h?.add(values);
  return chooseRange(method, m, h, nonNegative);
}

describe('activation ranges', () => {
  test('uint8Range contains 0 and maps it to an exact zero point', () => {
    assert.deepEqual(uint8Range(0, 2.55), { min: 0, max: 2.55, scale: 2.55 / 255, zeroPoint: 0 });
    const r = uint8Range(-1, 3);
    assert.equal(r.zeroPoint, Math.round(1 / r.scale));
    assert.deepEqual(uint8Range(0.5, 2), { ...uint8Range(0, 2) });
    assert.equal(uint8Range(0, 0).scale, 1);
  });

  test('minmax keeps the outliers; percentile clips them', () => {
    const values = longTail();
    assert.equal(calibrated('minmax', values).max, 50);
    const max = calibrated('percentile', values).max;
    assert.ok(max >= 0.95 && max < 5, `percentile: ${max}`);
  });

  test('entropy clips a sparse far tail that would cost the bulk its resolution', () => {
    const rng = gaussianSource(3);
    const values = new Float32Array(100_000).map(() => Math.abs(rng.normal()));
    for (let i = 0; i < 20; i++) values[i * 5000] = 40;
    const max = calibrated('entropy', values).max;
    assert.ok(max > 3 && max < 20, `entropy: ${max}`);
  });

  test('a signed tensor keeps its negative side', () => {
    const values = new Float32Array(4096).map((_, i) => Math.sin(i) * 3);
    for (const method of ['minmax', 'percentile', 'entropy'] as const) {
      const r = calibrated(method, values, false);
      assert.ok(
        r.min < -2 && r.max > 2 && r.zeroPoint > 100 && r.zeroPoint < 155,
        `${method}: ${JSON.stringify(r)}`,
      );
    }
  });

  test('histogram quantiles', () => {
    const h = new Histogram(0, 1, false);
    h.add(new Float32Array(1000).map((_, i) => i / 1000));
    assert.ok(Math.abs(h.quantile(0.5) - 0.5) < 1e-3);
  });
});

describe('int8 weights', () => {
  test('per output channel, symmetric, within half a step; bias in input x weight scale units', () => {
    const folded = {
      spec: { weight: 'w', bn: 'b', inChannels: 1, outChannels: 2, kernel: 1, stride: 1, pad: 0 },
      weight: new Float32Array([0.5, -0.25]),
      bias: new Float32Array([0.1, -0.2]),
    };
    const q = quantizeConv(folded, 0.1, 127);
    assert.deepEqual(Array.from(q.weight), [127, -127]);
    assert.ok(Math.abs((q.weightScale[0] ?? 0) - 0.5 / 127) < 1e-9);
    assert.equal(q.bias[0], Math.round(0.1 / (0.1 * (q.weightScale[0] ?? 0))));
  });

  test('within +-63 where the CPU needs it', () => {
    const folded = {
      spec: { weight: 'w', bn: 'b', inChannels: 3, outChannels: 1, kernel: 1, stride: 1, pad: 0 },
      weight: new Float32Array([0.5, -0.5, 0.1]),
      bias: new Float32Array([0]),
    };
    const q = quantizeConv(folded, 0.1, 63);
    assert.deepEqual(Array.from(q.weight), [63, -63, 13]);
    assert.ok(Math.abs((q.weightScale[0] ?? 0) - 0.5 / 63) < 1e-9);
  });
});

describe('compareLogits', () => {
  test('top-1, top-5 overlap and correlation', () => {
    const a = [[5, 4, 3, 2, 1, 0]];
    assert.deepEqual(compareLogits(a, a), {
      clips: 1,
      top1: 1,
      top5Overlap: 1,
      correlation: 1,
      maxAbsDiff: 0,
    });
    const b = compareLogits(a, [[4, 5, 3, 2, 0, 1]]);
    assert.equal(b.top1, 0);
    assert.equal(b.top5Overlap, 0.8);
  });
});

describe('manifest precision', () => {
  const manifest = randomModel(18, 10).manifest;
  test('fp32 by default; int8 needs its calibration table and the table needs int8', () => {
    assert.equal(parseManifest(manifest, 'm').precision, undefined);
    for (const bad of [
      { ...manifest, precision: 'int8' },
      { ...manifest, precision: 'int4' },
    ]) {
      assert.throws(
        () => parseManifest(bad, 'm'),
        (e: unknown) => isTsnError(e, 'E_MODEL_MANIFEST'),
      );
    }
  });
});

describe('bias correction', () => {
  const model = randomModel(18, 10, 3);
  const plan = resnetPlan(18);
  const table = (biasCorrection?: Record<string, number[]>): QuantizationInfo =>
    uniformTable(plan, biasCorrection === undefined ? {} : { biasCorrection });
  const build = (q: QuantizationInfo) =>
    buildQdqBackboneGraph(
      plan,
      model.weights,
      224,
      q,
      { normalization: model.manifest, weightLimit: 127 },
      {
        input: 'images',
        output: 'features',
      },
    );
  const stemBias = (q: QuantizationInfo): { bias: Int32Array; scale: Float32Array } => {
    const g = build(q);
    const bias = g.initializers.find((t) => t.name === 'stem.conv.bias_q')?.data;
    const scale = g.initializers.find((t) => t.name === 'stem.conv.bias_scale')?.data;
    assert.ok(bias instanceof Int32Array && scale instanceof Float32Array);
    return { bias, scale };
  };

  test("the table's per-channel shift is subtracted from the conv's bias", () => {
    const plain = stemBias(table());
    const corrected = stemBias(table({ 'stem.conv': new Array<number>(64).fill(0.25) }));
    for (let o = 0; o < 64; o++) {
      const steps = 0.25 / (plain.scale[o] ?? 1);
      assert.ok(Math.abs((plain.bias[o] ?? 0) - (corrected.bias[o] ?? 0) - steps) <= 1, `channel ${o}`);
    }
    // Convs the table does not name keep their bias.
    const other = (q: QuantizationInfo) =>
      build(q).initializers.find((t) => t.name === 'layer1.0.conv1.bias_q');
    assert.deepEqual(other(table({ 'stem.conv': new Array<number>(64).fill(0.25) })), other(table()));
  });

  test('a correction of the wrong width is refused with E_MODEL_MANIFEST', () => {
    assert.throws(
      () => build(table({ 'stem.conv': [1, 2, 3] })),
      (e: unknown) => isTsnError(e, 'E_MODEL_MANIFEST'),
    );
  });

  test('the manifest accepts a table with a bias correction and refuses a non-finite one', () => {
    const manifest = { ...model.manifest, precision: 'int8' };
    const withCorrection = { ...manifest, quantization: table({ 'stem.conv': [0.5] }) };
    assert.deepEqual(parseManifest(withCorrection, 'm').quantization?.biasCorrection, { 'stem.conv': [0.5] });
    const bad = { ...manifest, quantization: { ...table(), biasCorrection: { 'stem.conv': ['x'] } } };
    assert.throws(
      () => parseManifest(bad, 'm'),
      (e: unknown) => isTsnError(e, 'E_MODEL_MANIFEST'),
    );
  });
});
