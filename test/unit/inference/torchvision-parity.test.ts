import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createBackend } from '../../../src/inference/create-backend.js';
import { readCheckpoint } from '../../../src/model/checkpoint.js';
import type { Model } from '../../../src/model/types.js';
import { fixturesDir } from '../../helpers/paths.js';
import { maxAbsDiff, modelWithWeights } from './random-model.js';

interface Expected {
  readonly frames: number;
  readonly features: number[];
  readonly logits: number[];
}

/** The generator's input: an integer hash, exact in float64, so both sides get identical float32s. */
function hashedInput(frames: number): Float32Array {
  const x = new Float32Array(frames * 3 * 224 * 224);
  for (let i = 0; i < x.length; i++) x[i] = (((i * 2654435761) % 4294967296) / 4294967296) * 4 - 2;
  return x;
}

// Expected values come from torchvision's ResNet-18 (make_torchvision_features.py): an implementation
// independent of this project's ResNet plan, so stride, padding or BN-folding mistakes show up here.
describe('backbone and head match torchvision on the reference checkpoint', async () => {
  const expected = JSON.parse(
    readFileSync(join(fixturesDir, 'inference', 'torchvision_r18_c10.json'), 'utf8'),
  ) as Expected;
  const checkpoint = await readCheckpoint(join(fixturesDir, 'reference', 'tsn_r18_c10_p4.pdparams'));
  const model: Model = modelWithWeights(18, 10, checkpoint.weights, 'tsn_r18_c10_p4');
  const images = hashedInput(expected.frames);

  for (const backend of ['onnx', 'tfjs'] as const) {
    test(`${backend}: features within 1e-4, logits within 1e-4`, async () => {
      const b = await createBackend(model, { backend, executionProviders: ['cpu'], threads: 2 });
      try {
        const features = await b.features(images, expected.frames);
        const logits = await b.head(features, 1, expected.frames);
        assert.ok(maxAbsDiff(features, Float32Array.from(expected.features)) < 1e-4);
        assert.ok(maxAbsDiff(logits, Float32Array.from(expected.logits)) < 1e-4);
      } finally {
        await b.close();
      }
    });
  }
});
