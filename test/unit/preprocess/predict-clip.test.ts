import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Backend } from '../../../src/inference/backend.js';
import type { DecodedClip } from '../../../src/inference/decode-video.js';
import { predictClip } from '../../../src/inference/predict-video.js';
import {
  createNormalizer,
  cropViews,
  imageFloats,
  toNchw,
  type RgbImage,
} from '../../../src/inference/preprocess/index.js';
import type { Model, ModelManifest } from '../../../src/model/types.js';

const SIZE = 4;

/** Backbone stand-in: the feature of an image is its first float, so the head sees which image went where. */
function recordingBackend(): Backend & { calls: number[]; headArgs: [number, number][]; seen: number[] } {
  const calls: number[] = [];
  const headArgs: [number, number][] = [];
  const seen: number[] = [];
  return {
    name: 'onnx',
    description: 'fake',
    featureDim: 1,
    numClasses: 2,
    inputSize: SIZE,
    calls,
    headArgs,
    seen,
    features(images, count) {
      calls.push(count);
      assert.equal(images.length, count * imageFloats(SIZE));
      return Promise.resolve(Float32Array.from({ length: count }, (_, i) => images[i * imageFloats(SIZE)]!));
    },
    head(features, windows, perWindow) {
      headArgs.push([windows, perWindow]);
      seen.push(...features);
      return Promise.resolve(Float32Array.of(1, 3));
    },
    close: () => Promise.resolve(),
  };
}

function frame(value: number): RgbImage {
  return { width: 12, height: 9, rgb: new Uint8Array(12 * 9 * 3).map((_, i) => (value + i) & 255) };
}

test('predictClip: views x segments images, batched, then one head call over all of them', async () => {
  const frames = [frame(0), frame(50), frame(100)];
  const clip: DecodedClip = {
    frameCount: 30,
    indices: [5, 15, 25],
    sourceSize: { width: 12, height: 9 },
    size: { width: 12, height: 9 },
    frames,
  };
  const manifest = { inputSize: SIZE, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] };
  const model = { manifest: manifest as unknown as ModelManifest, labels: ['a', 'b'] } as unknown as Model;
  const backend = recordingBackend();
  const result = await predictClip({
    videoPath: 'x',
    model,
    backend,
    clip,
    crop: 'ten',
    topK: 2,
    batchSize: 7,
  });

  assert.deepEqual(backend.calls, [7, 7, 7, 7, 2]);
  assert.deepEqual(backend.headArgs, [[1, 30]]);
  const norm = createNormalizer();
  const views = cropViews(12, 9, SIZE, 'ten');
  const expected = Array.from(
    { length: 30 },
    (_, i) => toNchw(frames[i % 3]!, views[Math.floor(i / 3)]!, SIZE, norm)[0],
  );
  assert.deepEqual(backend.seen, expected);
  assert.deepEqual(result.inputShape, [1, 30, 3, SIZE, SIZE]);
  assert.deepEqual(result.indices, [5, 15, 25]);
  assert.equal(result.frames, 30);
  assert.deepEqual(result.logits, [1, 3]);
  assert.deepEqual(
    result.top.map((t) => t.label),
    ['b', 'a'],
  );
});
