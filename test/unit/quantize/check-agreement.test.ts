import { test } from 'node:test';
import assert from 'node:assert/strict';
import { marginStats } from '../../../src/inference/quantize/check-agreement.js';

test('marginStats: RMS change of the float32 top-1/top-2 margin, and the clips whose margin is below it', () => {
  const reference = [
    [5, 1, 0], // margin 4
    [2, 1.9, 0], // margin 0.1: a near-tie
    [0, 3, 1], // margin 2 (class 1 over class 2)
  ];
  const candidate = [
    [5.3, 1, 0], // margin 4.3: +0.3
    [1.8, 2.1, 0], // margin -0.3: -0.4 (flipped)
    [0, 3, 1], // unchanged
  ];
  const { marginNoise, nearTies } = marginStats(reference, candidate);
  assert.ok(Math.abs(marginNoise - Math.sqrt((0.09 + 0.16 + 0) / 3)) < 1e-9);
  assert.equal(nearTies, 1);
  assert.deepEqual(marginStats(reference, reference), { marginNoise: 0, nearTies: 0 });
});
