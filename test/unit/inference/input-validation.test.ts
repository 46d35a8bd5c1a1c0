import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Backend, BackendName } from '../../../src/inference/backend.js';
import { createBackend } from '../../../src/inference/create-backend.js';
import { type ErrorCode, isTsnError } from '../../../src/errors/index.js';
import type { Model, ResNetDepth } from '../../../src/model/types.js';
import { randomModel } from './random-model.js';

const frame = 3 * 224 * 224;
const code = (c: ErrorCode) => (e: unknown) => isTsnError(e, c);
const model = randomModel(18, 5);

for (const name of ['onnx', 'tfjs'] as const satisfies readonly BackendName[]) {
  describe(`${name} backend input validation`, () => {
    let backend: Backend;
    before(async () => {
      backend = await createBackend(model, { backend: name, executionProviders: ['cpu'], threads: 1 });
    });
    after(() => backend.close());

    test('features: wrong length for the count is E_INPUT_SHAPE', async () => {
      await assert.rejects(backend.features(new Float32Array(frame * 2), 1), code('E_INPUT_SHAPE'));
      await assert.rejects(backend.features(new Float32Array(frame - 1), 1), code('E_INPUT_SHAPE'));
      await assert.rejects(backend.features(new Float32Array(3 * 112 * 112), 1), code('E_INPUT_SHAPE'));
    });

    test('features: a non-integer or negative count is E_INPUT_SHAPE', async () => {
      await assert.rejects(backend.features(new Float32Array(frame), 0.5), code('E_INPUT_SHAPE'));
      await assert.rejects(backend.features(new Float32Array(0), -1), code('E_INPUT_SHAPE'));
    });

    test('features: zero images give an empty result', async () => {
      assert.equal((await backend.features(new Float32Array(0), 0)).length, 0);
    });

    test('head: wrong length or perWindow < 1 is E_INPUT_SHAPE', async () => {
      await assert.rejects(backend.head(new Float32Array(512 * 3), 1, 2), code('E_INPUT_SHAPE'));
      await assert.rejects(backend.head(new Float32Array(0), 1, 0), code('E_INPUT_SHAPE'));
      await assert.rejects(backend.head(new Float32Array(511), 1, 1), code('E_INPUT_SHAPE'));
    });

    test('metadata comes from the model', () => {
      assert.deepEqual(
        [backend.name, backend.featureDim, backend.numClasses, backend.inputSize],
        [name, 512, 5, 224],
      );
    });
  });
}

describe('createBackend errors', () => {
  test('a closed backend refuses to run with E_BACKEND_RUN; close is idempotent', async () => {
    for (const name of ['onnx', 'tfjs'] as const) {
      const backend = await createBackend(model, { backend: name, executionProviders: ['cpu'], threads: 1 });
      await backend.close();
      await backend.close();
      await assert.rejects(backend.features(new Float32Array(frame), 1), code('E_BACKEND_RUN'), name);
    }
  });

  test('an unknown backend name is E_BACKEND_UNAVAILABLE', async () => {
    const options = { backend: 'torch' as BackendName, executionProviders: [], threads: 0 };
    await assert.rejects(createBackend(model, options), code('E_BACKEND_UNAVAILABLE'));
  });

  test('an unsupported depth is E_BACKEND_UNAVAILABLE', async () => {
    const odd: Model = { ...model, manifest: { ...model.manifest, depth: 152 as ResNetDepth } };
    await assert.rejects(
      createBackend(odd, { backend: 'onnx', executionProviders: ['cpu'], threads: 0 }),
      code('E_BACKEND_UNAVAILABLE'),
    );
  });

  test('weights that do not match the manifest are E_MODEL_WEIGHTS', async () => {
    const weights = new Map(model.weights);
    weights.delete('layer3.0.downsample.1.running_var');
    const missing: Model = { ...model, weights };
    const wrongClasses: Model = { ...model, manifest: { ...model.manifest, numClasses: 6 } };
    for (const m of [missing, wrongClasses]) {
      for (const backend of ['onnx', 'tfjs'] as const) {
        await assert.rejects(
          createBackend(m, { backend, executionProviders: ['cpu'], threads: 0 }),
          code('E_MODEL_WEIGHTS'),
          backend,
        );
      }
    }
  });
});
