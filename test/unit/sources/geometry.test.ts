import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { centerCropOffsets, scaledSize } from '../../../src/sources/geometry.js';
import { backoffDelayMs } from '../../../src/sources/backoff.js';
import { defaultBackoff } from '../../../src/sources/options.js';

describe('PaddleVideo scale and center crop', () => {
  test('short side to 256, int(x + 0.5) rounding', () => {
    assert.deepEqual(scaledSize({ width: 320, height: 240 }, 256), { width: 341, height: 256 });
    assert.deepEqual(scaledSize({ width: 1280, height: 720 }, 256), { width: 455, height: 256 });
    assert.deepEqual(scaledSize({ width: 1920, height: 1080 }, 256), { width: 455, height: 256 });
    assert.deepEqual(scaledSize({ width: 240, height: 320 }, 256), { width: 256, height: 341 });
  });

  test('a frame whose short side is already 256 is untouched', () => {
    assert.deepEqual(scaledSize({ width: 340, height: 256 }, 256), { width: 340, height: 256 });
  });

  test('scales up just enough when the crop would not fit', () => {
    assert.deepEqual(scaledSize({ width: 1920, height: 1080 }, 256, { width: 500, height: 256 }), {
      width: 500,
      height: 281,
    });
  });

  test('floor offsets (tsn-spec: 341x256 -> 58,16)', () => {
    assert.deepEqual(centerCropOffsets({ width: 341, height: 256 }, { width: 224, height: 224 }), {
      x: 58,
      y: 16,
    });
    assert.deepEqual(centerCropOffsets({ width: 455, height: 256 }, { width: 224, height: 224 }), {
      x: 115,
      y: 16,
    });
  });
});

describe('backoff schedule', () => {
  test("go2rtc's steps: 1 s x5, 5 s x5, 10 s x10, then 60 s forever", () => {
    const delays = Array.from({ length: 23 }, (_, i) => backoffDelayMs(defaultBackoff, i + 1));
    assert.deepEqual(delays, [
      ...Array(5).fill(1000),
      ...Array(5).fill(5000),
      ...Array(10).fill(10000),
      60000,
      60000,
      60000,
    ]);
    assert.equal(backoffDelayMs(defaultBackoff, 1_000_000), 60_000);
  });

  test('a finite schedule ends', () => {
    assert.equal(backoffDelayMs([{ delayMs: 10, times: 2 }], 2), 10);
    assert.equal(backoffDelayMs([{ delayMs: 10, times: 2 }], 3), undefined);
  });
});
