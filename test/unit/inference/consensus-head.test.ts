import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createConsensusHead } from '../../../src/inference/consensus-head.js';
import { createLocalBackend } from '../../../src/inference/local-backend.js';
import { gaussianSource } from '../../../src/inference/resnet/random-weights.js';
import { isTsnError } from '../../../src/errors/index.js';
import { randomModel } from './random-model.js';

describe('consensus head (fc of the mean, on the calling thread)', () => {
  test('equals the onnx head graph on the same features', async () => {
    const model = randomModel(18, 7, 3);
    const onnx = await createLocalBackend(model, {
      backend: 'onnx',
      executionProviders: ['cpu'],
      threads: 1,
    });
    try {
      const next = gaussianSource(11);
      const features = Float32Array.from({ length: 3 * 8 * 512 }, () => next.normal());
      const js = createConsensusHead(model.weights, 512, 7)(features, 3, 8);
      const ort = await onnx.head(features, 3, 8);
      assert.equal(js.length, 21);
      const diff = Math.max(...js.map((v, i) => Math.abs(v - (ort[i] ?? Number.NaN))));
      assert.ok(diff < 1e-5, `max |diff| ${diff}`);
    } finally {
      await onnx.close();
    }
  });

  test('rejects an fc that does not match the declared sizes', () => {
    const model = randomModel(18, 7, 3);
    assert.throws(
      () => createConsensusHead(model.weights, 512, 8),
      (e) => isTsnError(e, 'E_MODEL_WEIGHTS'),
    );
  });
});
