import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { locateFfmpeg } from '../../../src/config/ffmpeg-path.js';
import { createBackend } from '../../../src/inference/create-backend.js';
import { predictVideo } from '../../../src/inference/predict-video.js';
import { convertCheckpoint } from '../../../src/model/convert.js';
import { loadModel } from '../../../src/model/model-dir.js';
import { hasPythonModules, needs } from '../../helpers/tools.js';
import {
  EXACT_TOLERANCE,
  describeDistance,
  logitDistance,
  referenceDir,
  type ReferenceOutput,
} from './compare.js';

const run = promisify(execFile);
const PYTHON = '/usr/bin/python3';
const REF_SCRIPT = join(referenceDir, 'paddle_tsn_ref.py');

test('full size: ResNet-50, 400 classes, the reference computes the same logits (8 seg, center)', async (t) => {
  if (
    !needs(
      t,
      hasPythonModules(['torch', 'torchvision', 'cv2']),
      'python3-torch python3-torchvision python3-opencv',
    )
  ) {
    return;
  }
  const ffmpegPath = locateFfmpeg()?.path ?? 'ffmpeg';
  const dir = mkdtempSync(join(tmpdir(), 'tsn-r50-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const checkpoint = join(dir, 'tsn_r50_k400_random.pdparams');
  const clip = join(dir, 'testsrc2_340x256.mp4');

  // 340x256: no resize on either side, so the comparison is exact up to float32 rounding.
  const [, weights] = await Promise.all([
    run(ffmpegPath, [
      '-v',
      'error',
      '-f',
      'lavfi',
      '-i',
      'testsrc2=s=340x256:d=2:r=25',
      '-c:v',
      'mpeg4',
      '-q:v',
      '3',
      '-pix_fmt',
      'yuv420p',
      clip,
    ]),
    run(PYTHON, [
      REF_SCRIPT,
      'weights',
      checkpoint,
      '--depth',
      '50',
      '--classes',
      '400',
      '--seed',
      '7',
      '--protocol',
      '4',
    ]),
  ]);
  assert.deepEqual(JSON.parse(weights.stdout), { tensors: 267 });
  const refRun = run(
    PYTHON,
    [
      REF_SCRIPT,
      'logits',
      checkpoint,
      clip,
      '--depth',
      '50',
      '--classes',
      '400',
      '--num-seg',
      '8',
      '--crop',
      'center',
    ],
    { maxBuffer: 1 << 24 },
  );
  await convertCheckpoint({ checkpointPath: checkpoint, outDir: join(dir, 'model') });
  const model = await loadModel(join(dir, 'model'));
  assert.equal(model.manifest.depth, 50);
  assert.equal(model.manifest.numClasses, 400);
  const backend = await createBackend(model, { backend: 'onnx', executionProviders: ['cpu'], threads: 1 });
  try {
    const ours = await predictVideo({
      videoPath: clip,
      model,
      backend,
      numSeg: 8,
      crop: 'center',
      topK: 5,
      ffmpegPath,
    });
    const reference = JSON.parse((await refRun).stdout) as ReferenceOutput;
    assert.equal(ours.frames, reference.frames);
    assert.equal(ours.frames, 50);
    assert.deepEqual(ours.indices, reference.indices);
    assert.deepEqual(ours.inputShape, reference.input_shape);
    const d = logitDistance(ours.logits, reference.logits);
    t.diagnostic(`ResNet-50 onnx vs reference: ${describeDistance(d)}`);
    assert.ok(d.sameTop1, describeDistance(d));
    assert.ok(d.maxAbs <= EXACT_TOLERANCE, describeDistance(d));
    assert.equal(ours.top[0]?.index, reference.top5[0]?.[0]);
  } finally {
    await backend.close();
  }
});
