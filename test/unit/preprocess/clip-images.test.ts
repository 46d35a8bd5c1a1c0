import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  createNormalizer,
  cropViews,
  imageFloats,
  toNchw,
  writeClipImages,
  type RgbImage,
} from '../../../src/inference/preprocess/index.js';

function solid(value: number, width = 230, height = 228): RgbImage {
  const rgb = new Uint8Array(width * height * 3);
  for (let i = 0; i < rgb.length; i++) rgb[i] = (value + (i % 7)) & 255;
  return { width, height, rgb };
}

describe('writeClipImages', () => {
  const norm = createNormalizer();
  const size = 224;
  const frames = [solid(10), solid(60), solid(120)];
  const views = cropViews(230, 228, size, 'ten');

  test('image i = view floor(i / T) of frame i mod T, in batches from any first image', () => {
    const total = frames.length * views.length;
    const whole = new Float32Array(total * imageFloats(size));
    writeClipImages(frames, views, size, norm, whole, 0, total);
    for (const i of [0, 1, 2, 3, 4, 17, 29]) {
      const expected = toNchw(frames[i % 3] as RgbImage, views[Math.floor(i / 3)]!, size, norm);
      assert.deepEqual(
        whole.subarray(i * imageFloats(size), (i + 1) * imageFloats(size)),
        expected,
        `image ${i}`,
      );
    }
    const part = new Float32Array(4 * imageFloats(size));
    writeClipImages(frames, views, size, norm, part, 13, 4);
    assert.deepEqual(part, whole.subarray(13 * imageFloats(size), 17 * imageFloats(size)));
  });

  test('refuses a range past the last image', () => {
    const out = new Float32Array(2 * imageFloats(size));
    assert.throws(() => writeClipImages(frames, views, size, norm, out, 29, 2), RangeError);
  });
});
