// Issue 14's accuracy bar for the demo model, small version: int8 vs float32 top-1 agreement >= 99 % and
// top-5 overlap >= 95 % on held-out rendered action clips (one per label, at the live cameras' size and
// rate). The demo backbone's BatchNorm variance floor is what makes this hold (docs/inference.md, INT8):
// without it int8 agreed on 8-50 % of clips. On x86 without VNNI it also needs the 7-bit weights
// (weight-limit.ts): with 8-bit ones the kernels' int16 pair sums saturate (correlation 0.06 on a Zen 3).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderActionDataset } from '../../../simulators/actions/dataset.js';
import { liveActionVideo } from '../../../simulators/actions/render.js';
import { locateFfmpeg } from '../../../src/config/ffmpeg-path.js';
import { createBackend } from '../../../src/inference/create-backend.js';
import { compareLogits } from '../../../src/inference/quantize/agreement.js';
import { quantizeModel } from '../../../src/inference/quantize/quantize-model.js';
import { loadModel } from '../../../src/model/model-dir.js';
import { ensureDemoModel } from '../../../src/model-store/index.js';
import type { Model } from '../../../src/model/types.js';
import { logitsThroughBoth } from './logits-through-both.js';

const ffmpegPath = locateFfmpeg()?.path ?? 'ffmpeg';
const work = mkdtempSync(join(tmpdir(), 'tsn-demo-int8-'));
let fp32: Model;

before(async () => {
  fp32 = await loadModel(await ensureDemoModel(work, { info: () => undefined }));
});
after(() => rmSync(work, { recursive: true, force: true }));

test('demo-actions: int8 agrees with float32 on held-out rendered clips (top-1 >= 99 %)', async (t) => {
  const render = { ffmpegPath, ...liveActionVideo, seconds: 4, labels: fp32.labels };
  const calibration = await renderActionDataset({
    ...render,
    dir: join(work, 'calib'),
    clipsPerLabel: 1,
    seed: 3,
  });
  const heldOut = await renderActionDataset({
    ...render,
    dir: join(work, 'held'),
    clipsPerLabel: 1,
    seed: 2,
  });
  const q = await quantizeModel({
    model: fp32,
    videos: calibration.map((c) => c.path),
    outDir: join(work, 'int8'),
    method: 'minmax',
    ffmpegPath,
    threads: 1,
  });
  const int8 = await loadModel(q.dir);
  const options = { backend: 'onnx', executionProviders: ['cpu'], threads: 1 } as const;
  const [a, b] = await Promise.all([createBackend(fp32, options), createBackend(int8, options)]);
  try {
    const clips = heldOut.map((c) => c.path);
    const logits = await logitsThroughBoth(fp32, [a, b], clips, ffmpegPath);
    const agreement = compareLogits(logits[0], logits[1]);
    t.diagnostic(JSON.stringify(agreement));
    assert.ok(agreement.top1 >= 0.99, `top-1 agreement ${agreement.top1}`);
    assert.ok(agreement.top5Overlap >= 0.95, `top-5 overlap ${agreement.top5Overlap}`);
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
});
