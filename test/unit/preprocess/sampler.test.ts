import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { sampleIndices } from '../../../src/inference/preprocess/index.js';

describe('sampleIndices (PaddleVideo valid_mode sampler)', () => {
  test('example.avi, L = 131: the spec vectors for N = 3, 8, 25', () => {
    assert.deepEqual(sampleIndices(131, 3), [21, 65, 109]);
    assert.deepEqual(sampleIndices(131, 8), [8, 24, 40, 57, 73, 90, 106, 122]);
    assert.deepEqual(
      sampleIndices(131, 25),
      [
        2, 7, 13, 18, 23, 28, 34, 39, 44, 49, 55, 60, 65, 70, 75, 81, 86, 91, 96, 102, 107, 112, 117, 123,
        128,
      ],
    );
  });

  test('the reference fixtures: 60 frames and 75 frames', () => {
    assert.deepEqual(sampleIndices(60, 3), [10, 30, 50]);
    assert.deepEqual(sampleIndices(75, 8), [4, 14, 23, 32, 42, 51, 60, 70]);
  });

  test('float64 truncation, not rounding: d/2 + d*x just below an integer stays below', () => {
    // L = 10, N = 4: d = 2.5 -> 1.25, 3.75, 6.25, 8.75
    assert.deepEqual(sampleIndices(10, 4), [1, 3, 6, 8]);
  });

  test('L <= N repeats frame 0 (L == N included, as the reference does)', () => {
    assert.deepEqual(sampleIndices(3, 3), [0, 0, 0]);
    assert.deepEqual(sampleIndices(2, 5), [0, 0, 0, 0, 0]);
    assert.deepEqual(sampleIndices(0, 2), [0, 0]);
  });

  test('every index is in range and non-decreasing for many lengths', () => {
    for (let L = 1; L < 400; L += 7) {
      for (const N of [1, 3, 8, 25]) {
        const idx = sampleIndices(L, N);
        assert.equal(idx.length, N);
        idx.forEach((v, i) => {
          assert.ok(v >= 0 && v < Math.max(L, 1));
          if (i > 0) assert.ok(v >= (idx[i - 1] as number));
        });
      }
    }
  });

  test('rejects a non-integer or zero segment count', () => {
    assert.throws(() => sampleIndices(10, 0), RangeError);
    assert.throws(() => sampleIndices(10, 2.5), RangeError);
    assert.throws(() => sampleIndices(-1, 3), RangeError);
  });
});
