import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cropResize, multiScaleCropBox, trainIndices } from '../../../src/training/augment.js';
import { gaussianSource } from '../../../src/inference/resnet/random-weights.js';

test('train sampler: one random frame per equal segment; zeros for a too-short clip', () => {
  const rng = gaussianSource(2);
  for (let k = 0; k < 50; k++) {
    const idx = trainIndices(131, 8, rng.uniform);
    idx.forEach((v, x) => assert.ok(v >= x * 16 && v < (x + 1) * 16, `segment ${x}: ${v}`));
  }
  assert.deepEqual(trainIndices(5, 8, rng.uniform), new Array(8).fill(0));
  assert.deepEqual(
    trainIndices(8, 8, () => 0.99),
    [0, 1, 2, 3, 4, 5, 6, 7],
  );
  const sparse = trainIndices(10, 16, rng.uniform);
  assert.equal(sparse.length, 16);
});

test('MultiScaleCrop on 341x256 to 224: sides from {256, 224, 192, 168}, one step apart, inside the frame', () => {
  const rng = gaussianSource(4);
  const sides = new Set<number>();
  for (let k = 0; k < 500; k++) {
    const b = multiScaleCropBox(341, 256, 224, rng.uniform);
    sides.add(b.width);
    sides.add(b.height);
    const steps = [256, 224, 192, 168];
    assert.ok(Math.abs(steps.indexOf(b.width) - steps.indexOf(b.height)) <= 1);
    assert.ok(b.x >= 0 && b.y >= 0 && b.x + b.width <= 341 && b.y + b.height <= 256);
  }
  assert.deepEqual([...sides].sort(), [168, 192, 224, 256]);
});

test('cropResize: identity at the same size, and mirroring flips rows', () => {
  const rgb = Uint8Array.from({ length: 4 * 4 * 3 }, (_, i) => i);
  const image = { width: 4, height: 4, rgb };
  const same = cropResize(image, { x: 0, y: 0, width: 4, height: 4 }, 4, false);
  assert.deepEqual([...same.rgb], [...rgb]);
  const flipped = cropResize(image, { x: 0, y: 0, width: 4, height: 4 }, 4, true);
  assert.deepEqual([...flipped.rgb.subarray(0, 3)], [...rgb.subarray(9, 12)]);
  const half = cropResize(
    { width: 2, height: 2, rgb: new Uint8Array([0, 0, 0, 100, 100, 100, 0, 0, 0, 100, 100, 100]) },
    { x: 0, y: 0, width: 2, height: 2 },
    4,
    false,
  );
  assert.deepEqual(
    [...half.rgb.subarray(0, 12)].filter((_, i) => i % 3 === 0),
    [0, 25, 75, 100],
  );
});
