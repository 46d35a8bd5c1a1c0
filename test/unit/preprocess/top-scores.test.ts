import { test } from 'node:test';
import assert from 'node:assert/strict';
import { topScores } from '../../../src/inference/predict-video.js';

test('topScores: softmax probabilities, best first, labels attached', () => {
  const top = topScores([1, 3, 2, 3], ['a', 'b', 'c', 'd'], 3);
  const z = 2 * Math.exp(3) + Math.exp(2) + Math.exp(1);
  assert.deepEqual(
    top.map((t) => [t.index, t.label]),
    [
      [1, 'b'],
      [3, 'd'],
      [2, 'c'],
    ],
  );
  assert.ok(Math.abs((top[0]?.score ?? 0) - Math.exp(3) / z) < 1e-12);
  assert.ok(Math.abs((top[2]?.score ?? 0) - Math.exp(2) / z) < 1e-12);
});

test('topScores: stable for large logits and k above the class count', () => {
  const top = topScores([1000, 999], ['x', 'y'], 5);
  assert.equal(top.length, 2);
  assert.ok(Math.abs((top[0]?.score ?? 0) + (top[1]?.score ?? 0) - 1) < 1e-12);
  assert.ok(Number.isFinite(top[0]?.score));
});
