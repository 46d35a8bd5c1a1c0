import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  MomentumSgd,
  clipByGlobalNorm,
  createHead,
  dropout,
  lossAndGradients,
} from '../../../src/training/linear-head.js';
import { learningRate, seedRecipe } from '../../../src/training/recipe.js';
import { trainHead } from '../../../src/training/train-head.js';
import { applyHead } from '../../../src/training/finetune.js';
import { gaussianSource } from '../../../src/inference/resnet/random-weights.js';
import { evaluate } from '../../../src/training/metrics.js';
import { splitDataset } from '../../../src/training/dataset.js';

test('analytic gradients of the softmax cross-entropy match central differences', () => {
  const rng = gaussianSource(3);
  const head = createHead(5, 3, rng.normal, 0.5);
  const inputs = [0, 1, 2, 3].map(() => Array.from({ length: 5 }, () => rng.normal()));
  const labels = [0, 2, 1, 2];
  const { grads } = lossAndGradients(head, inputs, labels);
  const eps = 1e-6;
  const numeric = (arr: Float64Array, i: number): number => {
    const keep = arr[i] as number;
    arr[i] = keep + eps;
    const up = lossAndGradients(head, inputs, labels).loss;
    arr[i] = keep - eps;
    const down = lossAndGradients(head, inputs, labels).loss;
    arr[i] = keep;
    return (up - down) / (2 * eps);
  };
  for (let i = 0; i < head.weight.length; i++)
    assert.ok(Math.abs(numeric(head.weight, i) - (grads.weight[i] as number)) < 1e-7, `weight ${i}`);
  for (let i = 0; i < head.bias.length; i++)
    assert.ok(Math.abs(numeric(head.bias, i) - (grads.bias[i] as number)) < 1e-7, `bias ${i}`);
});

test('the seed recipe: lr 0.01 / 0.001 / 0.0001 with boundaries at epochs 40 and 80 of 100', () => {
  assert.equal(learningRate(seedRecipe, 0), 0.01);
  assert.equal(learningRate(seedRecipe, 39), 0.01);
  assert.equal(learningRate(seedRecipe, 40), 0.001);
  assert.equal(learningRate(seedRecipe, 79), 0.001);
  assert.ok(Math.abs(learningRate(seedRecipe, 80) - 0.0001) < 1e-12);
  assert.deepEqual(
    [
      seedRecipe.momentum,
      seedRecipe.weightDecay,
      seedRecipe.clipNorm,
      seedRecipe.dropout,
      seedRecipe.initStd,
    ],
    [0.9, 1e-4, 40, 0.4, 0.01],
  );
});

test('global-norm clipping scales all gradients to norm 40 and leaves small ones alone', () => {
  const grads = { weight: new Float64Array([30, 0, 0]), bias: new Float64Array([40]) };
  assert.equal(clipByGlobalNorm(grads, 40), 50);
  assert.deepEqual([...grads.weight, ...grads.bias], [24, 0, 0, 32]);
  const small = { weight: new Float64Array([3]), bias: new Float64Array([4]) };
  clipByGlobalNorm(small, 40);
  assert.deepEqual([...small.weight, ...small.bias], [3, 4]);
});

test('momentum SGD with L2: v = 0.9 v + g + decay w; w -= lr v', () => {
  const head = { inDim: 1, numClasses: 1, weight: new Float64Array([1]), bias: new Float64Array([0]) };
  const sgd = new MomentumSgd(head, 0.9, 0.1);
  for (const step of [1, 2]) {
    const g = { weight: new Float64Array([0.5]), bias: new Float64Array([0]) };
    sgd.addDecay(g);
    sgd.step(g, 0.1);
    if (step === 1) assert.ok(Math.abs((head.weight[0] as number) - (1 - 0.1 * 0.6)) < 1e-12);
  }
  // v1 = 0.6, w1 = 0.94; g2 = 0.5 + 0.094 = 0.594, v2 = 0.54 + 0.594 = 1.134, w2 = 0.94 - 0.1134
  assert.ok(Math.abs((head.weight[0] as number) - 0.8266) < 1e-12);
});

test('dropout zeroes about `rate` of the inputs and scales the rest by 1 / (1 - rate)', () => {
  const rng = gaussianSource(5);
  const x = new Array<number>(10_000).fill(1);
  const y = dropout(x, 0.4, rng.uniform);
  const zeros = y.filter((v) => v === 0).length;
  assert.ok(Math.abs(zeros / x.length - 0.4) < 0.02);
  assert.ok(y.every((v) => v === 0 || Math.abs(v - 1 / 0.6) < 1e-12));
  assert.deepEqual([...dropout([1, 2], 0, rng.uniform)], [1, 2]);
});

test('trainHead learns separable data and its folded fc equals the standardised one on raw features', () => {
  const rng = gaussianSource(11);
  const make = (n: number) =>
    Array.from({ length: n }, (_, i) => {
      const label = i % 3;
      // Features on very different scales: the standardisation must make lr 0.01 work anyway.
      const features = Float32Array.from(
        { length: 8 },
        (_, d) => (d === label ? 500 : 0) + rng.normal() * 50 + d * 1000,
      );
      return { features, label };
    });
  const train = make(60);
  const val = make(30);
  const head = trainHead({ train, val, numClasses: 3, recipe: { ...seedRecipe, epochs: 30 } });
  assert.equal(head.curve.length, 30);
  assert.equal(head.curve.at(-1)?.valAccuracy, 1);
  const r = evaluate(
    val.map((s) => ({ label: s.label, logits: applyHead(head, s.features) })),
    ['a', 'b', 'c'],
  );
  assert.equal(r.top1, 1);
});

test('evaluate: top-1, top-5, per class and confusion rows = truth', () => {
  const r = evaluate(
    [
      { label: 0, logits: [3, 1, 0] },
      { label: 1, logits: [3, 1, 0] },
      { label: 1, logits: [0, 5, 1] },
    ],
    ['a', 'b', 'c'],
  );
  assert.deepEqual(r.confusion, [
    [1, 0, 0],
    [1, 1, 0],
    [0, 0, 0],
  ]);
  assert.equal(r.top1, 2 / 3);
  assert.equal(r.top5, 1);
  assert.deepEqual(r.perClass, { a: 1, b: 0.5 });
});

test('the validation split is stratified and disjoint', () => {
  const clips = Array.from({ length: 30 }, (_, i) => ({ path: `c${i}`, label: i % 3 }));
  const { train, val } = splitDataset(clips, 0.2, gaussianSource(1).uniform);
  assert.equal(val.length, 6);
  assert.deepEqual(
    [0, 1, 2].map((l) => val.filter((c) => c.label === l).length),
    [2, 2, 2],
  );
  assert.equal(new Set([...train, ...val].map((c) => c.path)).size, 30);
  assert.equal(splitDataset(clips, 0, Math.random).val.length, 0);
});
