import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { softmax, topK } from '../../../src/pipeline/scores.js';

describe('topK', () => {
  test('matches a full sort, ties to the lower index, k larger than n', () => {
    const scores = Float32Array.from([0.1, 0.3, 0.3, 0.05, 0.2, 0.3, 0.05]);
    const labels = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
    assert.deepEqual(
      topK(scores, 4, labels).map((t) => t.index),
      [1, 2, 5, 4],
    );
    assert.deepEqual(
      topK(scores, 10, labels).map((t) => t.index),
      [1, 2, 5, 4, 0, 3, 6],
    );
    assert.equal(topK(scores, 1, labels)[0]?.label, 'b');
  });
});

describe('softmax', () => {
  test('softmax is stable for large logits and sums to 1', () => {
    const p = softmax(Float32Array.from([1000, 1001, 999]));
    assert.ok(Math.abs(p.reduce((a, b) => a + b, 0) - 1) < 1e-6);
    assert.ok((p[1] ?? 0) > (p[0] ?? 0) && (p[0] ?? 0) > (p[2] ?? 0));
  });
});
