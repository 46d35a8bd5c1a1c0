import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { createBackend } from '../../../src/inference/create-backend.js';
import { randomImages, randomModel } from './random-model.js';

test('tfjs backend: calls leave no tensors behind and close() frees the weights', async () => {
  const before = tf.memory().numTensors;
  const backend = await createBackend(randomModel(18, 3), {
    backend: 'tfjs',
    executionProviders: ['cpu'],
    threads: 1,
    thread: 'main',
  });
  const withWeights = tf.memory().numTensors;
  assert.ok(withWeights > before, 'the backend holds its weights as tensors (same tfjs engine)');
  const features = await backend.features(randomImages(1, 2), 1);
  await backend.head(features, 1, 1);
  await assert.rejects(backend.features(new Float32Array(5), 1));
  assert.equal(tf.memory().numTensors, withWeights);
  await backend.close();
  assert.equal(tf.memory().numTensors, before);
});
