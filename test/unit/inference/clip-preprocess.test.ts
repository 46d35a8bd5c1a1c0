// The service's clip function lays each window out exactly as PaddleVideo's clip (writeClipImages:
// view-major, all segments of view 0, then view 1, ...) and asks the runner for T = numSeg x views.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SegmentFrame } from '../../../src/domain/index.js';
import type { ClipRunner } from '../../../src/inference/onnx/clip-model.js';
import {
  createNormalizer,
  cropViews,
  imageFloats,
  writeClipImages,
} from '../../../src/inference/preprocess/index.js';
import type { ClipModel } from '../../../src/model/types.js';
import { createClip } from '../../../src/inference/pipeline-inference.js';

const SIZE = 8;
const manifest = {
  format: 'tsn-stream-model',
  formatVersion: 1,
  architecture: 'onnx-clip',
  numClasses: 2,
  inputSize: SIZE,
  scaleShortSide: 10,
  mean: [0.485, 0.456, 0.406],
  std: [0.229, 0.224, 0.225],
  defaultNumSeg: 3,
  modelFile: 'model.onnx',
  labelsFile: 'labels.txt',
} as const;
const model: ClipModel = { dir: '/m', id: 'm@0', manifest, modelPath: '/m/model.onnx', labels: ['a', 'b'] };

function segment(seed: number): SegmentFrame {
  const width = 13;
  const height = 10;
  const rgb = new Uint8Array(width * height * 3).map((_, i) => (i * 31 + seed * 97) % 256);
  const frame = { cameraId: 'c', width, height, rgb, ptsMs: seed, wallMs: seed };
  return { cameraId: 'c', segmentIndex: seed, segmentStartMs: 0, segmentEndMs: 1, frame };
}

function recordingRunner(calls: { images: Float32Array; windows: number; timeSteps: number }[]): ClipRunner {
  return {
    description: 'fake',
    inputSize: SIZE,
    numClasses: 2,
    fixedTimeSteps: undefined,
    checkTimeSteps: () => undefined,
    clip: (images, windows, timeSteps) => {
      calls.push({ images, windows, timeSteps });
      return Promise.resolve(new Float32Array(windows * 2));
    },
    close: () => Promise.resolve(),
  };
}

for (const [views, mode] of [
  [1, 'center'],
  [10, 'ten'],
] as const) {
  test(`${mode} crop: windows x (numSeg x ${views}) images in writeClipImages' order`, async () => {
    const calls: { images: Float32Array; windows: number; timeSteps: number }[] = [];
    const numSeg = 3;
    const frames = [0, 1, 2, 3, 4, 5].map(segment); // 2 windows
    await createClip(recordingRunner(calls), model)(frames, 2, numSeg, views);
    assert.equal(calls.length, 1);
    const call = calls[0];
    assert.ok(call);
    assert.equal(call.windows, 2);
    assert.equal(call.timeSteps, numSeg * views);
    const perWindow = numSeg * views * imageFloats(SIZE);
    const normalizer = createNormalizer(manifest.mean, manifest.std);
    for (let w = 0; w < 2; w++) {
      const expected = new Float32Array(perWindow);
      const clipFrames = frames.slice(w * numSeg, (w + 1) * numSeg).map((s) => s.frame);
      const crops = cropViews(13, 10, SIZE, mode);
      writeClipImages(clipFrames, crops, SIZE, normalizer, expected, 0, numSeg * views);
      assert.deepEqual(call.images.subarray(w * perWindow, (w + 1) * perWindow), expected);
    }
  });
}
