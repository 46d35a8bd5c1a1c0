// The streaming path (per-frame features reused across sliding windows) against clip mode (whole windows)
// and against whole-file prediction (tsn predict's code) on the same frames, with the real converted
// fixture checkpoint on onnxruntime. Also: a window spanning the whole file picks PaddleVideo's frames and
// reproduces the independent Python reference logits.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { firstValueFrom, from, take, timeout, toArray } from 'rxjs';
import type { Frame, Prediction, SegmentFrame } from '../../../src/domain/index.js';
import type { Backend } from '../../../src/inference/backend.js';
import { createBackend } from '../../../src/inference/create-backend.js';
import { predictClip } from '../../../src/inference/predict-video.js';
import {
  createNormalizer,
  cropViews,
  imageFloats,
  writeClipImages,
  writeCropNchw,
} from '../../../src/inference/preprocess/index.js';
import { locateFfmpeg } from '../../../src/config/ffmpeg-path.js';
import { convertCheckpoint } from '../../../src/model/convert.js';
import { loadModel } from '../../../src/model/model-dir.js';
import type { Model } from '../../../src/model/types.js';
import { createRecognitionPipeline, type ClipFn, type EmbedFn } from '../../../src/pipeline/index.js';
import { fixturesDir } from '../../helpers/paths.js';

const CLIP = join(fixturesDir, 'reference', 'clip_340x256.mp4');
const CHECKPOINT = join(fixturesDir, 'reference', 'tsn_r18_c10_p4.pdparams');
const WIDTH = 340;
const HEIGHT = 256;
const FRAME_MS = 40; // 25 fps
const WALL_BASE_MS = 1_700_000_000_000;
const TOLERANCE = 1e-3;

/** Every frame of the clip as RGB24 (already 256 on the short side: PaddleVideo leaves it unscaled). */
async function decodeAll(ffmpeg: string): Promise<Frame[]> {
  const child = spawn(
    ffmpeg,
    ['-v', 'error', '-i', CLIP, '-map', '0:v:0', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const chunks: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  assert.equal(code, 0, 'ffmpeg decodes the fixture');
  const bytes = Buffer.concat(chunks);
  const frameBytes = WIDTH * HEIGHT * 3;
  assert.equal(bytes.length % frameBytes, 0);
  return Array.from({ length: bytes.length / frameBytes }, (_, i) => ({
    cameraId: 'replay',
    width: WIDTH,
    height: HEIGHT,
    rgb: new Uint8Array(bytes.subarray(i * frameBytes, (i + 1) * frameBytes)),
    ptsMs: i * FRAME_MS,
    wallMs: WALL_BASE_MS + i * FRAME_MS,
  }));
}

const cropOf = (views: number): 'center' | 'ten' => (views === 10 ? 'ten' : 'center');

/** What the composition root does in segment mode: crops + normalisation into one batch, backend.features. */
function embedWith(backend: Backend, model: Model): EmbedFn {
  const size = model.manifest.inputSize;
  const normalizer = createNormalizer(model.manifest.mean, model.manifest.std);
  return (batch, views) => {
    const images = new Float32Array(batch.length * views * imageFloats(size));
    batch.forEach((s, i) => {
      cropViews(s.frame.width, s.frame.height, size, cropOf(views)).forEach((view, v) =>
        writeCropNchw(s.frame, view, size, normalizer, images, (i * views + v) * imageFloats(size)),
      );
    });
    return backend.features(images, batch.length * views);
  };
}

/** A whole-window model: all numSeg x views images of a window at once (PaddleVideo's clip layout). */
function clipWith(backend: Backend, model: Model): ClipFn {
  const size = model.manifest.inputSize;
  const normalizer = createNormalizer(model.manifest.mean, model.manifest.std);
  return async (frames, windows, numSeg, views) => {
    const perWindow = numSeg * views;
    const out = new Float32Array(windows * backend.numClasses);
    const images = new Float32Array(perWindow * imageFloats(size));
    for (let w = 0; w < windows; w++) {
      const clipFrames = frames.slice(w * numSeg, (w + 1) * numSeg).map((s) => s.frame);
      writeClipImages(
        clipFrames,
        cropViews(WIDTH, HEIGHT, size, cropOf(views)),
        size,
        normalizer,
        images,
        0,
        perWindow,
      );
      const features = await backend.features(images, perWindow);
      out.set(await backend.head(features, 1, perWindow), w * backend.numClasses);
    }
    return out;
  };
}

interface Replay {
  readonly predictions: Prediction[];
  readonly embedded: number;
  /** Frame index the segmenter picked, per segment index. */
  readonly picked: ReadonlyMap<number, number>;
}

async function replay(
  mode: 'segment' | 'clip',
  frames: readonly Frame[],
  windowSetup: { numSeg: number; windowMs: number; views: 1 | 10 },
  expectedWindows: number,
): Promise<Replay> {
  let embedded = 0;
  const picked = new Map<number, number>();
  const embed = embedWith(backend, model);
  const pipeline = createRecognitionPipeline(
    {
      modelId: model.id,
      labels: model.labels,
      batching: { maxBatch: 4, maxWaitMs: 0, maxQueue: 256, maxInFlight: 1 },
    },
    {
      inference:
        mode === 'clip'
          ? { mode, clip: clipWith(backend, model) }
          : {
              mode,
              embed: (batch, views) => {
                embedded += batch.length;
                for (const s of batch) picked.set(s.segmentIndex, s.frame.ptsMs / FRAME_MS);
                return embed(batch, views);
              },
              head: (features, windows, perWindow) => backend.head(features, windows, perWindow),
            },
      now: () => WALL_BASE_MS + 1e6,
      idFactory: () => 'unused',
    },
  );
  const collected = firstValueFrom(
    pipeline.predictions$.pipe(take(expectedWindows), toArray(), timeout({ first: 120_000 })),
  );
  pipeline.addCamera('replay', from(frames), { ...windowSetup, maxGapMs: 1000 });
  try {
    return { predictions: await collected, embedded, picked };
  } finally {
    pipeline.close();
  }
}

/** tsn predict's inference path on exactly the frames the streaming window used. */
async function wholeFile(p: Prediction, segments: readonly SegmentFrame[], views: 1 | 10): Promise<number[]> {
  const result = await predictClip({
    videoPath: CLIP,
    model,
    backend,
    crop: cropOf(views),
    topK: 1,
    clip: {
      frameCount: 60,
      indices: segments.map((s) => s.frame.ptsMs / FRAME_MS),
      sourceSize: { width: WIDTH, height: HEIGHT },
      size: { width: WIDTH, height: HEIGHT },
      frames: segments.map((s) => s.frame),
    },
  });
  assert.equal(result.logits.length, p.logits.length);
  return result.logits;
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs((a[i] ?? 0) - (b[i] ?? 0)));
  return max;
}

let tempDir = '';
let model: Model;
let backend: Backend;
let frames: Frame[] = [];

describe('streaming exactness on the fixture checkpoint (onnx, cpu)', () => {
  before(async () => {
    const ffmpeg = locateFfmpeg();
    assert.ok(ffmpeg, 'ffmpeg is available (system or @ffmpeg-installer/ffmpeg)');
    tempDir = await mkdtemp(join(tmpdir(), 'tsn-pipeline-exact-'));
    await convertCheckpoint({ checkpointPath: CHECKPOINT, outDir: join(tempDir, 'model') });
    model = await loadModel(join(tempDir, 'model'));
    backend = await createBackend(model, {
      backend: 'onnx',
      executionProviders: ['cpu'],
      threads: 1,
      thread: 'main',
    });
    frames = await decodeAll(ffmpeg.path);
    assert.equal(frames.length, 60);
  });

  after(async () => {
    await backend?.close();
    if (tempDir !== '') await rm(tempDir, { recursive: true, force: true });
  });

  // TenCrop costs 10 backbone passes per frame: it replays the first 25 frames (2 windows) only, to keep the test short.
  for (const [views, frameCount] of [
    [1, 60],
    [10, 25],
  ] as const) {
    const segmentCount = frameCount / 5;
    const windowCount = segmentCount - 3;
    test(`sliding windows (numSeg 4, 800 ms, ${cropOf(views)} crop, ${frameCount} frames): streaming = clip mode = whole-file`, async () => {
      const setup = { numSeg: 4, windowMs: 800, views };
      // 25 fps: segments of 200 ms hold 5 frames; windows slide by one segment.
      const input = frames.slice(0, frameCount);
      const streamed = await replay('segment', input, setup, windowCount);
      const clipped = await replay('clip', input, setup, windowCount);
      assert.equal(streamed.embedded, segmentCount, 'each segment frame went through the backbone once');
      assert.deepEqual(
        streamed.predictions.map((p) => p.segmentIndices),
        clipped.predictions.map((p) => p.segmentIndices),
      );
      for (const [i, p] of streamed.predictions.entries()) {
        const c = clipped.predictions[i] as Prediction;
        assert.ok(maxDiff(p.logits, c.logits) < TOLERANCE, `window ${i}: streaming vs clip mode`);
        // Segment k spans frames 5k..5k+4 (200 ms at 25 fps); the paddle rule picks 5k+2 (at the centre).
        const segments = p.segmentIndices.map((k) => ({
          cameraId: 'replay',
          segmentIndex: k,
          segmentStartMs: k * 200,
          segmentEndMs: (k + 1) * 200,
          frame: frames[5 * k + 2] as Frame,
        }));
        const reference = await wholeFile(p, segments, views);
        assert.ok(
          maxDiff(p.logits, reference) < TOLERANCE,
          `window ${i}: streaming vs whole-file prediction`,
        );
      }
    });
  }

  for (const [numSeg, crop, file] of [
    [8, 1, 'ref_340x256_seg8_center.json'],
    [3, 10, 'ref_340x256_seg3_ten.json'],
  ] as const) {
    test(`a window over the whole clip picks PaddleVideo's frames and matches the Python reference (${file})`, async () => {
      const reference = JSON.parse(await readFile(join(fixturesDir, 'reference', file), 'utf8')) as {
        indices: number[];
        logits: number[];
      };
      const run = await replay('segment', frames, { numSeg, windowMs: 60 * FRAME_MS, views: crop }, 1);
      const [p] = run.predictions;
      assert.ok(p);
      assert.deepEqual(
        p.segmentIndices,
        Array.from({ length: numSeg }, (_, k) => k),
      );
      assert.deepEqual(
        p.segmentIndices.map((k) => run.picked.get(k)),
        reference.indices,
        "the segmenter's picks are PaddleVideo's sampler indices",
      );
      assert.ok(
        maxDiff(p.logits, reference.logits) < TOLERANCE,
        'streaming window vs PaddleVideo reference logits',
      );
    });
  }
});
