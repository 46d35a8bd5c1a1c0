import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  cropOffsets,
  cropViews,
  needsResize,
  scaledSize,
  viewsPerFrame,
} from '../../../src/inference/preprocess/index.js';

describe('scaledSize (short side to 256, aspect kept, +0.5 rounding)', () => {
  test('spec examples', () => {
    assert.deepEqual(scaledSize(320, 240), { width: 341, height: 256 });
    assert.deepEqual(scaledSize(1280, 720), { width: 455, height: 256 });
  });

  test('fixture clips: 340x256 untouched, 400x300 -> 341x256', () => {
    assert.deepEqual(scaledSize(340, 256), { width: 340, height: 256 });
    assert.equal(needsResize(340, 256), false);
    assert.deepEqual(scaledSize(400, 300), { width: 341, height: 256 });
    assert.equal(needsResize(400, 300), true);
  });

  test('portrait and square frames', () => {
    assert.deepEqual(scaledSize(720, 1280), { width: 256, height: 455 });
    assert.deepEqual(scaledSize(256, 300), { width: 256, height: 300 });
    assert.deepEqual(scaledSize(300, 300), { width: 256, height: 256 });
    assert.deepEqual(scaledSize(256, 256), { width: 256, height: 256 });
  });

  test('upscales small frames and honours another short side', () => {
    assert.deepEqual(scaledSize(160, 120), { width: 341, height: 256 });
    assert.deepEqual(scaledSize(640, 480, 128), { width: 171, height: 128 });
  });
});

describe('cropOffsets / cropViews', () => {
  test('TenCrop offsets for 341x256 in the spec order', () => {
    assert.deepEqual(cropOffsets(341, 256, 224, 'ten'), [
      { x: 0, y: 0 },
      { x: 116, y: 0 },
      { x: 0, y: 32 },
      { x: 116, y: 32 },
      { x: 58, y: 16 },
    ]);
  });

  test('CenterCrop uses floor division', () => {
    assert.deepEqual(cropOffsets(341, 256, 224, 'center'), [{ x: 58, y: 16 }]);
    assert.deepEqual(cropOffsets(340, 256, 224, 'center'), [{ x: 58, y: 16 }]);
    assert.deepEqual(cropOffsets(455, 256, 224, 'center'), [{ x: 115, y: 16 }]);
    assert.deepEqual(cropOffsets(224, 224, 224, 'center'), [{ x: 0, y: 0 }]);
  });

  test('TenCrop on 340x256: ws = 29, hs = 8', () => {
    assert.deepEqual(
      cropOffsets(340, 256, 224, 'ten').map((o) => [o.x, o.y]),
      [
        [0, 0],
        [116, 0],
        [0, 32],
        [116, 32],
        [58, 16],
      ],
    );
  });

  test('views: each offset plain then mirrored; 10 for ten, 1 for center', () => {
    const views = cropViews(341, 256, 224, 'ten');
    assert.equal(views.length, viewsPerFrame('ten'));
    assert.deepEqual(
      views.map((v) => `${v.x},${v.y},${v.mirror ? 'm' : '-'}`),
      [
        '0,0,-',
        '0,0,m',
        '116,0,-',
        '116,0,m',
        '0,32,-',
        '0,32,m',
        '116,32,-',
        '116,32,m',
        '58,16,-',
        '58,16,m',
      ],
    );
    assert.deepEqual(cropViews(341, 256, 224, 'center'), [{ x: 58, y: 16, mirror: false }]);
    assert.equal(viewsPerFrame('center'), 1);
  });

  test('a frame smaller than the crop is refused', () => {
    assert.throws(() => cropOffsets(200, 256, 224, 'center'), RangeError);
  });
});
