import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { locateFfmpeg } from '../../../src/config/ffmpeg-path.js';
import type { Backend, BackendName } from '../../../src/inference/backend.js';
import { createBackend } from '../../../src/inference/create-backend.js';
import { decodeSampledFrames, type DecodedClip } from '../../../src/inference/decode-video.js';
import { predictClip } from '../../../src/inference/predict-video.js';
import {
  createNormalizer,
  cropViews,
  imageFloats,
  writeClipImages,
  type CropMode,
  type CropView,
  type RgbImage,
} from '../../../src/inference/preprocess/index.js';
import { convertCheckpoint } from '../../../src/model/convert.js';
import { loadModel } from '../../../src/model/model-dir.js';
import type { Model } from '../../../src/model/types.js';
import {
  EXACT_TOLERANCE,
  MIN_CORRELATION,
  describeDistance,
  logitDistance,
  readReference,
  referenceDir,
} from './compare.js';

interface ParityCase {
  readonly clip: string;
  readonly numSeg: number;
  readonly crop: CropMode;
  readonly ref: string;
  /** No resize on our side or the reference's: logits must agree to float32 rounding. */
  readonly exact: boolean;
  readonly backends: readonly BackendName[];
}

const CASES: readonly ParityCase[] = [
  {
    clip: 'clip_340x256.mp4',
    numSeg: 8,
    crop: 'center',
    ref: 'ref_340x256_seg8_center.json',
    exact: true,
    backends: ['onnx', 'tfjs'],
  },
  {
    clip: 'clip_340x256.mp4',
    numSeg: 3,
    crop: 'ten',
    ref: 'ref_340x256_seg3_ten.json',
    exact: true,
    backends: ['onnx', 'tfjs'],
  },
  {
    clip: 'clip_340x256.mp4',
    numSeg: 8,
    crop: 'ten',
    ref: 'ref_340x256_seg8_ten.json',
    exact: true,
    backends: ['onnx'],
  },
  {
    clip: 'clip_400x300.mp4',
    numSeg: 8,
    crop: 'center',
    ref: 'ref_400x300_seg8_center.json',
    exact: false,
    backends: ['onnx'],
  },
  {
    clip: 'clip_400x300.mp4',
    numSeg: 3,
    crop: 'ten',
    ref: 'ref_400x300_seg3_ten.json',
    exact: false,
    backends: ['onnx'],
  },
  {
    clip: 'example.avi',
    numSeg: 8,
    crop: 'center',
    ref: 'ref_example_seg8_center.json',
    exact: false,
    backends: ['onnx'],
  },
  {
    clip: 'example.avi',
    numSeg: 25,
    crop: 'center',
    ref: 'ref_example_seg25_center.json',
    exact: false,
    backends: ['onnx'],
  },
];

const ffmpegPath = locateFfmpeg()?.path ?? 'ffmpeg';

describe('parity with the independent Python reference (ResNet-18, 10 classes, random weights)', () => {
  let dir = '';
  let model: Model;
  const backends = new Map<BackendName, Backend>();

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tsn-parity-'));
    await convertCheckpoint({
      checkpointPath: join(referenceDir, 'tsn_r18_c10_p4.pdparams'),
      outDir: join(dir, 'model'),
    });
    model = await loadModel(join(dir, 'model'));
    for (const name of ['onnx', 'tfjs'] as const) {
      backends.set(
        name,
        await createBackend(model, { backend: name, executionProviders: ['cpu'], threads: 1 }),
      );
    }
  });

  after(async () => {
    for (const backend of backends.values()) await backend.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const decode = (c: Pick<ParityCase, 'clip' | 'numSeg'>): Promise<DecodedClip> =>
    decodeSampledFrames({ videoPath: join(referenceDir, c.clip), ffmpegPath, numSeg: c.numSeg });

  for (const c of CASES) {
    test(`${c.clip} ${c.numSeg} seg ${c.crop}: ${c.backends.join(' and ')}`, async (t) => {
      const reference = readReference(c.ref);
      const clip = await decode(c);
      for (const name of c.backends) {
        const backend = backends.get(name)!;
        const ours = await predictClip({ videoPath: c.clip, model, backend, clip, crop: c.crop, topK: 5 });
        assert.equal(ours.frames, reference.frames);
        assert.deepEqual(ours.indices, reference.indices);
        assert.deepEqual(ours.inputShape, reference.input_shape);
        const d = logitDistance(ours.logits, reference.logits);
        const what = `${name}: ${describeDistance(d)}`;
        t.diagnostic(what);
        assert.ok(d.sameTop1, what);
        if (c.exact) {
          assert.ok(d.maxAbs <= EXACT_TOLERANCE, what);
          assert.deepEqual(
            ours.top.map((t) => t.index),
            reference.top5.map(([index]) => index),
            what,
          );
          ours.top.forEach((t, i) => assert.ok(Math.abs(t.score - reference.top5[i]![1]) < 1e-4, what));
        } else {
          assert.ok(d.correlation > MIN_CORRELATION, what);
        }
      }
    });
  }

  describe('the comparison has teeth: deliberately wrong preprocessing fails it', () => {
    /** Logits with the given frames and views, bypassing predictVideo's own choices. */
    async function logitsWith(frames: readonly RgbImage[], views: readonly CropView[]): Promise<number[]> {
      const backend = backends.get('onnx')!;
      const count = frames.length * views.length;
      const batch = new Float32Array(count * imageFloats(224));
      writeClipImages(frames, views, 224, createNormalizer(), batch, 0, count);
      return Array.from(await backend.head(await backend.features(batch, count), 1, count));
    }

    const bgr = (frames: readonly RgbImage[]): RgbImage[] =>
      frames.map((f) => {
        const rgb = Uint8Array.from(f.rgb);
        for (let i = 0; i < rgb.length; i += 3) [rgb[i], rgb[i + 2]] = [rgb[i + 2]!, rgb[i]!];
        return { ...f, rgb };
      });

    test('the harness itself reproduces the reference when nothing is wrong', async () => {
      const clip = await decode({ clip: 'clip_340x256.mp4', numSeg: 8 });
      const views = cropViews(clip.size.width, clip.size.height, 224, 'center');
      const d = logitDistance(
        await logitsWith(clip.frames, views),
        readReference('ref_340x256_seg8_center.json').logits,
      );
      assert.ok(d.maxAbs <= EXACT_TOLERANCE, describeDistance(d));
    });

    test('BGR instead of RGB: far outside the exact tolerance and below the correlation bar', async () => {
      for (const [name, ref] of [
        ['clip_340x256.mp4', 'ref_340x256_seg8_center.json'],
        ['clip_400x300.mp4', 'ref_400x300_seg8_center.json'],
      ] as const) {
        const clip = await decode({ clip: name, numSeg: 8 });
        const views = cropViews(clip.size.width, clip.size.height, 224, 'center');
        const d = logitDistance(await logitsWith(bgr(clip.frames), views), readReference(ref).logits);
        assert.ok(d.maxAbs > 10 * EXACT_TOLERANCE, `${name}: ${describeDistance(d)}`);
        assert.ok(d.correlation < MIN_CORRELATION, `${name}: ${describeDistance(d)}`);
      }
    });

    test('a crop one pixel off, or TenCrop without its mirrored views: outside the exact tolerance', async () => {
      const center = await decode({ clip: 'clip_340x256.mp4', numSeg: 8 });
      const shifted = cropViews(340, 256, 224, 'center').map((v) => ({ ...v, x: v.x + 1 }));
      const d1 = logitDistance(
        await logitsWith(center.frames, shifted),
        readReference('ref_340x256_seg8_center.json').logits,
      );
      assert.ok(d1.maxAbs > EXACT_TOLERANCE, `shifted crop: ${describeDistance(d1)}`);

      const ten = await decode({ clip: 'clip_340x256.mp4', numSeg: 3 });
      const unmirrored = cropViews(340, 256, 224, 'ten').map((v) => ({ ...v, mirror: false }));
      const d2 = logitDistance(
        await logitsWith(ten.frames, unmirrored),
        readReference('ref_340x256_seg3_ten.json').logits,
      );
      assert.ok(d2.maxAbs > EXACT_TOLERANCE, `no mirror: ${describeDistance(d2)}`);
    });
  });
});
