import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { cpuFlags } from '../../../src/inference/onnx/host-cpu.js';
import { encodeOnnxModel } from '../../../src/inference/onnx/onnx-proto.js';
import { GraphBuilder } from '../../../src/inference/onnx/resnet-graph.js';
import { createNormalizer } from '../../../src/inference/preprocess/index.js';
import { pixelInput, pixelStemConv } from '../../../src/inference/quantize/pixel-input.js';
import { buildQdqBackboneGraph } from '../../../src/inference/quantize/qdq-graph.js';
import { int8WeightLimit } from '../../../src/inference/quantize/weight-limit.js';
import type { FoldedConv } from '../../../src/inference/resnet/fold-bn.js';
import { resnetPlan } from '../../../src/inference/resnet/plan.js';
import { randomModel } from '../inference/random-model.js';
import { uniformTable } from './uniform-table.js';

const normalization = { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] } as const;

describe('int8 weight limit by CPU', () => {
  const x64 = (flags: string): { arch: string; flags: ReadonlySet<string> } => ({
    arch: 'x64',
    flags: cpuFlags(`processor\t: 0\nflags\t\t: ${flags}\nbugs\t\t: spectre_v1\n`),
  });
  test('x86 without VNNI gets +-63 (its int16 pair sums would saturate), with VNNI or on ARM +-127', () => {
    assert.equal(int8WeightLimit(x64('fpu sse2 avx2 fma')), 63);
    assert.equal(int8WeightLimit(x64('avx2 avx512f avx512bw')), 63);
    assert.equal(int8WeightLimit(x64('avx2 avx512f avx512_vnni')), 127);
    assert.equal(int8WeightLimit(x64('avx2 avx_vnni')), 127);
    assert.equal(int8WeightLimit({ arch: 'x64', flags: new Set() }), 63);
    assert.equal(int8WeightLimit({ arch: 'arm64', flags: new Set() }), 127);
  });
  test('cpuFlags reads the first flags line only', () => {
    assert.deepEqual([...cpuFlags('flags : a b\nbugs : c\nflags : d\n')], ['a', 'b']);
    assert.equal(cpuFlags('').size, 0);
  });
});

describe('the input as pixel bytes', () => {
  test('the graph maps every normalised byte of every channel back to that byte exactly', async () => {
    const lut = createNormalizer(normalization.mean, normalization.std).lut; // [3][256]
    const g = new GraphBuilder();
    const pixels = pixelInput(g, 'images', 0, normalization);
    g.initializers.push({ name: 's', dims: [], data: new Float32Array([1]) });
    g.initializers.push({ name: 'z', dims: [], data: new Uint8Array([0]) });
    g.node('QuantizeLinear', 'q', [pixels, 's', 'z']);
    g.node('DequantizeLinear', 'dq', ['q:out', 's', 'z']);
    g.finish('bytes');
    const graph = {
      name: 'pixels',
      nodes: g.nodes,
      initializers: g.initializers,
      inputs: [{ name: 'images', shape: [1, 3, 16, 16] }],
      outputs: [{ name: 'bytes', shape: [1, 3, 16, 16] }],
    };
    const session = await InferenceSession.create(encodeOnnxModel(graph));
    try {
      const out = await session.run({ images: new Tensor('float32', lut, [1, 3, 16, 16]) });
      const bytes = out['bytes']?.data as Float32Array;
      for (let i = 0; i < 3 * 256; i++) assert.equal(bytes[i], i % 256, `channel ${Math.floor(i / 256)}`);
    } finally {
      await session.release();
    }
  });

  test('the stem conv on pixel bytes padded with the mean pixel equals it on the normalised image', () => {
    const spec = { weight: 'w', bn: 'b', inChannels: 3, outChannels: 2, kernel: 3, stride: 1, pad: 1 };
    const weight = Float32Array.from({ length: 2 * 3 * 9 }, (_, i) => Math.sin(i * 1.7));
    const folded: FoldedConv = { spec, weight, bias: new Float32Array([0.3, -0.1]) };
    const stem = pixelStemConv(folded, normalization);
    assert.equal(stem.spec.pad, 0);
    const side = 4;
    const byte = (c: number, y: number, x: number): number => (c * 53 + y * 31 + x * 97) % 256;
    const normalised = (c: number, y: number, x: number): number =>
      (byte(c, y, x) / 255 - normalization.mean[c]!) / normalization.std[c]!;
    const inside = (y: number, x: number): boolean => y >= 0 && x >= 0 && y < side && x < side;
    for (let o = 0; o < 2; o++) {
      for (let y = 0; y < side; y++) {
        for (let x = 0; x < side; x++) {
          let want = folded.bias[o]!;
          let got = stem.bias[o]!;
          for (let c = 0; c < 3; c++) {
            for (let t = 0; t < 9; t++) {
              const [yy, xx] = [y + Math.floor(t / 3) - 1, x + (t % 3) - 1];
              const w = (o * 3 + c) * 9 + t;
              want += inside(yy, xx) ? weight[w]! * normalised(c, yy, xx) : 0;
              const pixel = inside(yy, xx) ? byte(c, yy, xx) : 255 * normalization.mean[c]!;
              got += stem.weight[w]! * pixel;
            }
          }
          assert.ok(Math.abs(got - want) < 1e-4, `output ${o} at ${y},${x}: ${got} vs ${want}`);
        }
      }
    }
  });

  test('the int8 graph: Pad, Mul, Add, then bytes at scale 1; an unpadded stem; weights within the limit', () => {
    const model = randomModel(18, 10, 3);
    const plan = resnetPlan(18);
    const table = uniformTable(plan, { input: 'pixels' });
    const names = { input: 'images', output: 'features' };
    const g = buildQdqBackboneGraph(
      plan,
      model.weights,
      224,
      table,
      { normalization, weightLimit: 63 },
      names,
    );
    assert.deepEqual(
      g.nodes.slice(0, 4).map((n) => n.opType),
      ['Pad', 'Mul', 'Add', 'QuantizeLinear'],
    );
    const init = (name: string) => g.initializers.find((t) => t.name === name)?.data;
    assert.deepEqual([...(init('input.pixels:scale') ?? [])].map(Number), [1]);
    assert.deepEqual([...(init('input.pixels:zero_point') ?? [])].map(Number), [0]);
    const stem = g.nodes.find((n) => n.name === 'stem.conv');
    const pads = stem?.attribute.find((a) => a.name === 'pads');
    assert.deepEqual(pads && 'ints' in pads ? pads.ints : undefined, [0, 0, 0, 0]);
    for (const t of g.initializers.filter((i) => i.name.endsWith('.weight_q'))) {
      assert.ok(
        t.data.every((v) => Math.abs(Number(v)) <= 63),
        t.name,
      );
    }
  });
});
