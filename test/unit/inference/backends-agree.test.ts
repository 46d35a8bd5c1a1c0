import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Backend, BackendName } from '../../../src/inference/backend.js';
import { createBackend } from '../../../src/inference/create-backend.js';
import type { Model, ResNetDepth } from '../../../src/model/types.js';
import { gaussianSource } from '../../../src/inference/resnet/random-weights.js';
import { maxAbs, maxAbsDiff, randomImages, randomModel } from './random-model.js';

async function open(model: Model, backend: BackendName): Promise<Backend> {
  return createBackend(model, { backend, executionProviders: ['cpu'], threads: 2 });
}

async function compare(depth: ResNetDepth, count: number): Promise<void> {
  const model = randomModel(depth, 10, depth);
  const images = randomImages(count, 100 + depth);
  const results: { features: Float32Array; logits: Float32Array }[] = [];
  for (const name of ['onnx', 'tfjs'] as const) {
    const backend = await open(model, name);
    try {
      const features = await backend.features(images, count);
      results.push({ features, logits: await backend.head(features, 1, count) });
    } finally {
      await backend.close();
    }
  }
  const [onnx, tfjs] = results;
  assert.ok(onnx && tfjs);
  assert.equal(onnx.features.length, count * model.manifest.featureDim);
  assert.ok(maxAbs(onnx.features) > 0.1, 'features are not degenerate');
  assert.ok(maxAbs(onnx.logits) > 0.05, 'logits are not degenerate');
  const featureDiff = maxAbsDiff(onnx.features, tfjs.features);
  assert.ok(featureDiff < 1e-4 * maxAbs(onnx.features) + 1e-5, `features differ by ${featureDiff}`);
  const logitDiff = maxAbsDiff(onnx.logits, tfjs.logits);
  assert.ok(logitDiff < 1e-3, `logits differ by ${logitDiff}`);
}

describe('onnx and tfjs backends agree on the same model and input', () => {
  test('ResNet-18, 2 frames: max |logit diff| < 1e-3, features close', () => compare(18, 2));
  test('ResNet-50, 1 frame: max |logit diff| < 1e-3, features close', () => compare(50, 1));
});

/** fc(mean over perWindow), in float64. */
function directHead(model: Model, features: Float32Array, windows: number, perWindow: number): Float32Array {
  const d = model.manifest.featureDim;
  const c = model.manifest.numClasses;
  const w = model.weights.get('fc.weight')?.data ?? new Float32Array();
  const b = model.weights.get('fc.bias')?.data ?? new Float32Array();
  const out = new Float32Array(windows * c);
  for (let n = 0; n < windows; n++) {
    const mean = new Float64Array(d);
    for (let t = 0; t < perWindow; t++) {
      for (let j = 0; j < d; j++)
        mean[j] = (mean[j] ?? 0) + (features[(n * perWindow + t) * d + j] ?? 0) / perWindow;
    }
    for (let k = 0; k < c; k++) {
      let sum = b[k] ?? 0;
      for (let j = 0; j < d; j++) sum += (w[k * d + j] ?? 0) * (mean[j] ?? 0);
      out[n * c + k] = sum;
    }
  }
  return out;
}

describe('head(): fc of the mean feature', () => {
  const model = randomModel(18, 7, 3);
  const backends = new Map<BackendName, Backend>();
  before(async () => {
    for (const name of ['onnx', 'tfjs'] as const) backends.set(name, await open(model, name));
  });
  after(async () => {
    for (const b of backends.values()) await b.close();
  });

  for (const name of ['onnx', 'tfjs'] as const) {
    test(`${name}: [N=3, T=5, D=512] -> [3, 7] equals direct computation within 1e-5`, async () => {
      const rng = gaussianSource(9);
      const features = new Float32Array(3 * 5 * 512).map(() => Math.abs(rng.normal()) * 4);
      const logits = await backends.get(name)?.head(features, 3, 5);
      assert.ok(logits);
      assert.equal(logits.length, 21);
      assert.ok(maxAbsDiff(logits, directHead(model, features, 3, 5)) < 1e-5);
    });

    test(`${name}: a window of identical frames gives the same logits as one frame`, async () => {
      const backend = backends.get(name);
      const one = new Float32Array(512).map((_, j) => (j % 17) / 4);
      const repeated = new Float32Array(4 * 512).map((_, j) => one[j % 512] ?? 0);
      assert.ok(
        maxAbsDiff((await backend?.head(one, 1, 1)) ?? one, (await backend?.head(repeated, 1, 4)) ?? one) <
          1e-5,
      );
    });
  }
});
