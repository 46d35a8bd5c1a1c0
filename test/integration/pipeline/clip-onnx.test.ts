// Clip mode with an external whole-window ONNX model (what tsn serve runs for an onnx-clip model
// directory) gives the same window logits as segment mode on the split backend, on real decoded frames.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { firstValueFrom, from, take, timeout, toArray } from 'rxjs';
import { locateFfmpeg } from '../../../src/config/ffmpeg-path.js';
import type { Frame, Prediction } from '../../../src/domain/index.js';
import type { Backend } from '../../../src/inference/backend.js';
import { createBackend } from '../../../src/inference/create-backend.js';
import { createOnnxClipRunner, type ClipRunner } from '../../../src/inference/onnx/clip-model.js';
import { convertCheckpoint } from '../../../src/model/convert.js';
import { loadModel } from '../../../src/model/model-dir.js';
import type { ClipModel, Model } from '../../../src/model/types.js';
import { createRecognitionPipeline, type InferencePort } from '../../../src/pipeline/index.js';
import { createClip, segmentInference } from '../../../src/inference/pipeline-inference.js';
import { clipModelBytes } from '../../helpers/clip-onnx.js';
import { fixturesDir } from '../../helpers/paths.js';

const VIDEO = join(fixturesDir, 'reference', 'clip_340x256.mp4');
const CHECKPOINT = join(fixturesDir, 'reference', 'tsn_r18_c10_p4.pdparams');
const WIDTH = 340;
const HEIGHT = 256;
const FRAME_MS = 40;
const TOLERANCE = 1e-3;

async function decodeFrames(ffmpeg: string, count: number): Promise<Frame[]> {
  const args = [
    '-v',
    'error',
    '-i',
    VIDEO,
    '-frames:v',
    String(count),
    '-f',
    'rawvideo',
    '-pix_fmt',
    'rgb24',
    '-',
  ];
  const child = spawn(ffmpeg, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const chunks: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  assert.equal(code, 0, 'ffmpeg decodes the fixture');
  const bytes = Buffer.concat(chunks);
  const frameBytes = WIDTH * HEIGHT * 3;
  assert.equal(bytes.length, count * frameBytes);
  return Array.from({ length: count }, (_, i) => ({
    cameraId: 'cam',
    width: WIDTH,
    height: HEIGHT,
    rgb: new Uint8Array(bytes.subarray(i * frameBytes, (i + 1) * frameBytes)),
    ptsMs: i * FRAME_MS,
    wallMs: 1_700_000_000_000 + i * FRAME_MS,
  }));
}

let tempDir = '';
let model: Model;
let backend: Backend;
let runner: ClipRunner;

async function replay(
  inference: InferencePort,
  frames: readonly Frame[],
  views: 1 | 10,
  windows: number,
): Promise<Prediction[]> {
  const pipeline = createRecognitionPipeline(
    {
      modelId: model.id,
      labels: model.labels,
      batching: { maxBatch: 4, maxWaitMs: 0, maxQueue: 256, maxInFlight: 1 },
    },
    { inference, now: () => 1_800_000_000_000, idFactory: () => 'unused' },
  );
  const collected = firstValueFrom(
    pipeline.predictions$.pipe(take(windows), toArray(), timeout({ first: 120_000 })),
  );
  pipeline.addCamera('cam', from(frames), { numSeg: 4, windowMs: 800, views, maxGapMs: 1000 });
  try {
    return await collected;
  } finally {
    pipeline.close();
  }
}

describe('clip mode with an external clip model = segment mode (fixture checkpoint, onnx cpu)', () => {
  before(async () => {
    const ffmpeg = locateFfmpeg();
    assert.ok(ffmpeg, 'ffmpeg is available (system or @ffmpeg-installer/ffmpeg)');
    tempDir = await mkdtemp(join(tmpdir(), 'tsn-clip-onnx-'));
    await convertCheckpoint({ checkpointPath: CHECKPOINT, outDir: join(tempDir, 'model') });
    model = await loadModel(join(tempDir, 'model'));
    backend = await createBackend(model, {
      backend: 'onnx',
      executionProviders: ['cpu'],
      threads: 1,
      thread: 'main',
    });
    const modelPath = join(tempDir, 'clip.onnx');
    await writeFile(modelPath, clipModelBytes(model, undefined));
    runner = await createOnnxClipRunner({
      modelPath,
      executionProviders: ['cpu'],
      threads: 1,
      inputSize: 224,
    });
    frames = await decodeFrames(ffmpeg.path, 25);
  });

  let frames: Frame[] = [];

  after(async () => {
    await runner?.close();
    await backend?.close();
    if (tempDir !== '') await rm(tempDir, { recursive: true, force: true });
  });

  // 25 frames at 25 fps = 5 segments of 200 ms = 2 windows of numSeg 4.
  for (const views of [1, 10] as const) {
    test(`numSeg 4, ${views === 10 ? 'TenCrop' : 'center crop'}: every window's logits agree`, async () => {
      const clipModel: ClipModel = {
        dir: tempDir,
        id: model.id,
        manifest: { ...model.manifest, architecture: 'onnx-clip', modelFile: 'clip.onnx' },
        modelPath: join(tempDir, 'clip.onnx'),
        labels: model.labels,
      };
      const segment = segmentInference(backend, model);
      const streamed = await replay(segment, frames, views, 2);
      const clipped = await replay({ mode: 'clip', clip: createClip(runner, clipModel) }, frames, views, 2);
      assert.deepEqual(
        clipped.map((p) => p.segmentIndices),
        streamed.map((p) => p.segmentIndices),
      );
      for (const [i, p] of streamed.entries()) {
        const c = clipped[i] as Prediction;
        const diff = Math.max(...p.logits.map((v, k) => Math.abs(v - (c.logits[k] ?? Infinity))));
        assert.ok(diff < TOLERANCE, `window ${i}: clip mode vs segment mode differ by ${diff}`);
      }
    });
  }
});
