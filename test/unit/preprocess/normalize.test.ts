import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  createNormalizer,
  imageFloats,
  toNchw,
  writeCropNchw,
  type RgbImage,
} from '../../../src/inference/preprocess/index.js';

// numpy: (np.uint8 -> float32 / 255.0 - mean_f32) / std_f32, printed as float64 (exact float32 values).
const BYTES = [0, 1, 37, 127, 128, 200, 254, 255];
const NUMPY = [
  [
    -2.1179039478302, -2.1007792949676514, -1.4842880964279175, 0.0569397434592247, 0.07406462728977203,
    1.3070467710494995, 2.231783390045166, 2.248908281326294,
  ],
  [
    -2.0357141494750977, -2.018207311630249, -1.3879550695419312, 0.18767505884170532, 0.20518219470977783,
    1.465686321258545, 2.4110641479492188, 2.4285714626312256,
  ],
  [
    -1.804444432258606, -1.7870151996612549, -1.1595641374588013, 0.4090632498264313, 0.4264925718307495,
    1.6813944578170776, 2.6225709915161133, 2.640000104904175,
  ],
];

/** width x height image whose pixel (x, y) is (r, g, b) = (x, y, 10 * x + y) */
function gradient(width: number, height: number): RgbImage {
  const rgb = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      rgb.set([x, y, 10 * x + y], (y * width + x) * 3);
    }
  }
  return { width, height, rgb };
}

describe('normalisation', () => {
  test('bit-identical to numpy float32 arithmetic', () => {
    const { lut } = createNormalizer();
    for (let c = 0; c < 3; c++) {
      BYTES.forEach((b, i) => assert.equal(lut[c * 256 + b], NUMPY[c]?.[i], `channel ${c} byte ${b}`));
    }
  });
});

describe('writeCropNchw', () => {
  const norm = createNormalizer();
  const value = (c: number, byte: number): number => norm.lut[c * 256 + byte] as number;

  test('crops at the offset and writes channel planes (NCHW)', () => {
    const img = gradient(6, 5);
    const out = toNchw(img, { x: 2, y: 1, mirror: false }, 3, norm);
    assert.equal(out.length, imageFloats(3));
    for (let y = 0; y < 3; y++) {
      for (let x = 0; x < 3; x++) {
        const sx = 2 + x;
        const sy = 1 + y;
        assert.equal(out[0 * 9 + y * 3 + x], value(0, sx));
        assert.equal(out[1 * 9 + y * 3 + x], value(1, sy));
        assert.equal(out[2 * 9 + y * 3 + x], value(2, 10 * sx + sy));
      }
    }
  });

  test('mirror flips each row of the same crop left-right', () => {
    const img = gradient(6, 5);
    const plain = toNchw(img, { x: 1, y: 2, mirror: false }, 3, norm);
    const mirrored = toNchw(img, { x: 1, y: 2, mirror: true }, 3, norm);
    for (let c = 0; c < 3; c++) {
      for (let y = 0; y < 3; y++) {
        for (let x = 0; x < 3; x++) {
          assert.equal(mirrored[c * 9 + y * 3 + x], plain[c * 9 + y * 3 + (2 - x)]);
        }
      }
    }
    assert.notDeepEqual(plain, mirrored);
  });

  test('fills a preallocated batch at an offset without touching its neighbours', () => {
    const img = gradient(4, 4);
    const size = 2;
    const batch = new Float32Array(3 * imageFloats(size)).fill(99);
    writeCropNchw(img, { x: 2, y: 2, mirror: false }, size, norm, batch, imageFloats(size));
    assert.ok(batch.subarray(0, imageFloats(size)).every((v) => v === 99));
    assert.ok(batch.subarray(2 * imageFloats(size)).every((v) => v === 99));
    assert.deepEqual(
      batch.subarray(imageFloats(size), 2 * imageFloats(size)),
      toNchw(img, { x: 2, y: 2, mirror: false }, size, norm),
    );
  });

  test('refuses crops outside the image and outputs that are too small', () => {
    const img = gradient(4, 4);
    assert.throws(() => toNchw(img, { x: 3, y: 0, mirror: false }, 2, norm), RangeError);
    assert.throws(() => toNchw(img, { x: -1, y: 0, mirror: true }, 2, norm), RangeError);
    assert.throws(
      () => writeCropNchw(img, { x: 0, y: 0, mirror: false }, 2, norm, new Float32Array(12), 1),
      RangeError,
    );
    assert.throws(
      () => toNchw({ width: 4, height: 4, rgb: new Uint8Array(10) }, { x: 0, y: 0, mirror: false }, 2, norm),
      RangeError,
    );
  });
});
