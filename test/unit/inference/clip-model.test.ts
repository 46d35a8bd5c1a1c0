// An external whole-window ONNX model (written here with the project's ONNX writer, like a paddle2onnx
// TSN export) run by createOnnxClipRunner gives the split backend's head(features(...)) logits.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Backend } from '../../../src/inference/backend.js';
import { createBackend } from '../../../src/inference/create-backend.js';
import { createOnnxClipRunner, type ClipRunner } from '../../../src/inference/onnx/clip-model.js';
import { buildOnnxModels } from '../../../src/inference/onnx/onnx-backend.js';
import { convertCheckpoint } from '../../../src/model/convert.js';
import { loadAnyModel } from '../../../src/model/clip-model-dir.js';
import { loadModel } from '../../../src/model/model-dir.js';
import type { Model } from '../../../src/model/types.js';
import { clipModelBytes, writeClipModelDir } from '../../helpers/clip-onnx.js';
import { fixturesDir } from '../../helpers/paths.js';
import { maxAbsDiff, randomImages } from './random-model.js';

const CHECKPOINT = join(fixturesDir, 'reference', 'tsn_r18_c10_p4.pdparams');
const TOLERANCE = 1e-4;
const runnerOptions = { executionProviders: ['cpu'] as const, threads: 1, inputSize: 224 };

let tempDir: string;
let model: Model;
let backend: Backend;
const runners: ClipRunner[] = [];

async function runnerFor(
  timeSteps: number | undefined,
  name: string,
  thread: 'worker' | 'main' = 'worker',
): Promise<ClipRunner> {
  const modelPath = join(tempDir, `${name}.onnx`);
  await writeFile(modelPath, clipModelBytes(model, timeSteps));
  const runner = await createOnnxClipRunner({ ...runnerOptions, modelPath, thread });
  runners.push(runner);
  return runner;
}

async function splitLogits(images: Float32Array, windows: number, timeSteps: number): Promise<Float32Array> {
  const features = await backend.features(images, windows * timeSteps);
  return backend.head(features, windows, timeSteps);
}

async function rejectsWithCode(promise: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => (error as { code?: string }).code === code);
}

describe('external clip models (onnx, cpu)', () => {
  before(async () => {
    tempDir = await mkdtemp(join(tmpdir(), 'tsn-clip-model-'));
    await convertCheckpoint({ checkpointPath: CHECKPOINT, outDir: join(tempDir, 'model') });
    model = await loadModel(join(tempDir, 'model'));
    backend = await createBackend(model, {
      backend: 'onnx',
      executionProviders: ['cpu'],
      threads: 1,
      thread: 'main',
    });
  });

  after(async () => {
    await Promise.all(runners.map((r) => r.close()));
    await backend.close();
    await rm(tempDir, { recursive: true, force: true });
  });

  for (const thread of ['worker', 'main'] as const) {
    test(`center crop, symbolic T (${thread} thread): 3 windows of numSeg 4 match head(features(...))`, async () => {
      const runner = await runnerFor(undefined, `symbolic-${thread}`, thread);
      assert.equal(runner.numClasses, model.manifest.numClasses);
      assert.equal(runner.fixedTimeSteps, undefined);
      const images = randomImages(3 * 4, 7);
      const logits = await runner.clip(images, 3, 4);
      assert.equal(logits.length, 3 * model.manifest.numClasses);
      assert.ok(maxAbsDiff(logits, await splitLogits(images, 3, 4)) < TOLERANCE);
    });
  }

  test('TenCrop folded into a fixed T = numSeg x 10: 2 windows of numSeg 2 match', async () => {
    const runner = await runnerFor(20, 'tencrop');
    assert.equal(runner.fixedTimeSteps, 20);
    const images = randomImages(2 * 20, 11);
    const logits = await runner.clip(images, 2, 20);
    assert.ok(maxAbsDiff(logits, await splitLogits(images, 2, 20)) < TOLERANCE);
  });

  test('a fixed T refuses windows of another T, and wrong image counts, with E_INPUT_SHAPE', async () => {
    const runner = await runnerFor(8, 'fixed8');
    assert.throws(() => runner.checkTimeSteps(4), { code: 'E_INPUT_SHAPE' });
    runner.checkTimeSteps(8);
    await rejectsWithCode(runner.clip(randomImages(4, 1), 1, 4), 'E_INPUT_SHAPE');
    await rejectsWithCode(runner.clip(randomImages(7, 1), 1, 8), 'E_INPUT_SHAPE');
    await runner.close();
    await rejectsWithCode(runner.clip(randomImages(8, 1), 1, 8), 'E_BACKEND_RUN');
  });

  test('a model that is not [N, T, 3, S, S] is refused with E_BACKEND_UNAVAILABLE', async () => {
    const modelPath = join(tempDir, 'backbone.onnx');
    await writeFile(modelPath, buildOnnxModels(model).backbone); // [batch, 3, 224, 224]: rank 4
    await rejectsWithCode(createOnnxClipRunner({ ...runnerOptions, modelPath }), 'E_BACKEND_UNAVAILABLE');
    const clipPath = join(tempDir, 'clip-224.onnx');
    await writeFile(clipPath, clipModelBytes(model, undefined));
    await rejectsWithCode(
      createOnnxClipRunner({ ...runnerOptions, modelPath: clipPath, inputSize: 256 }),
      'E_BACKEND_UNAVAILABLE',
    );
    await rejectsWithCode(
      createOnnxClipRunner({ ...runnerOptions, modelPath: clipPath, numClasses: 11 }),
      'E_BACKEND_UNAVAILABLE',
    );
  });

  test('an onnx-clip model directory loads with loadAnyModel; loadModel refuses it', async () => {
    const dir = join(tempDir, 'clip-dir');
    await mkdir(dir);
    await writeClipModelDir(dir, model, undefined);
    const loaded = await loadAnyModel(dir);
    assert.equal(loaded.kind, 'onnx-clip');
    assert.equal(loaded.model.labels.length, model.manifest.numClasses);
    assert.match(loaded.model.id, /^clip-dir@[0-9a-f]{12}$/);
    assert.equal((await loadAnyModel(join(tempDir, 'model'))).kind, 'tsn-resnet');
    await rejectsWithCode(loadModel(dir), 'E_MODEL_MANIFEST');
    await writeFile(
      join(dir, 'manifest.json'),
      JSON.stringify({ architecture: 'onnx-clip', numClasses: 10 }),
    );
    await rejectsWithCode(loadAnyModel(dir), 'E_MODEL_MANIFEST');
  });
});
