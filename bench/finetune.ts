// tsn finetune and tsn eval cost on rendered action clips: time to finetune on N clips (features + head)
// and eval throughput in clips per second, on the demo-actions backbone.
// npm run bench:finetune [-- --clips 100 --eval-clips 30 --passes 4 --quick]
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { locateFfmpeg } from '../src/config/ffmpeg-path.js';
import { createBackend } from '../src/inference/create-backend.js';
import { decodeForModel, predictClip } from '../src/inference/predict-video.js';
import { loadModel } from '../src/model/model-dir.js';
import { ensureDemoModel } from '../src/model-store/index.js';
import { alignToModel, loadDataset } from '../src/training/dataset.js';
import { finetune } from '../src/training/finetune.js';
import { evaluate } from '../src/training/metrics.js';
import { seedRecipe } from '../src/training/recipe.js';
import { ACTION_LABELS } from '../simulators/actions/render.js';
import { renderActionDataset } from '../simulators/actions/dataset.js';

const { values } = parseArgs({
  options: {
    clips: { type: 'string', default: '100' },
    'eval-clips': { type: 'string', default: '30' },
    passes: { type: 'string', default: '4' },
    'num-seg': { type: 'string', default: '8' },
    threads: { type: 'string', default: '0' },
    quick: { type: 'boolean', default: false },
  },
});
const quick = values.quick === true;
const labels = [...ACTION_LABELS];
const clips = quick ? labels.length * 2 : Number(values.clips);
const evalClips = quick ? labels.length : Number(values['eval-clips']);
const passes = quick ? 1 : Number(values.passes);
const numSeg = Number(values['num-seg']);
const threads = Number(values.threads);

const ffmpeg = locateFfmpeg();
if (ffmpeg === undefined) throw new Error('bench:finetune needs ffmpeg (apt-get install ffmpeg)');
const work = mkdtempSync(join(tmpdir(), 'tsn-bench-finetune-'));
try {
  const log = { info: (_f: Record<string, unknown>, m: string) => void process.stderr.write(`${m}\n`) };
  const perLabel = (n: number) => Math.max(1, Math.round(n / labels.length));
  const render = { ffmpegPath: ffmpeg.path, seconds: 3, width: 160, height: 120, fps: 15, labels };
  await renderActionDataset({
    ...render,
    dir: join(work, 'train'),
    clipsPerLabel: perLabel(clips),
    seed: 11,
  });
  await renderActionDataset({
    ...render,
    dir: join(work, 'test'),
    clipsPerLabel: perLabel(evalClips),
    seed: 12,
  });
  const base = await loadModel(await ensureDemoModel(join(work, 'cache'), log));
  const backendOptions = {
    backend: 'onnx' as const,
    executionProviders: ['cpu' as const],
    threads,
    thread: 'main' as const,
  };

  const dataset = await loadDataset(join(work, 'train'));
  const backend = await createBackend(base, backendOptions);
  const t0 = performance.now();
  const result = await finetune({
    base,
    dataset,
    backend,
    ffmpegPath: ffmpeg.path,
    numSeg,
    passes,
    valSplit: 0,
    batchSize: 8,
    recipe: { ...seedRecipe },
  });
  const finetuneMs = performance.now() - t0;
  await backend.close();

  const test = alignToModel(await loadDataset(join(work, 'test')), base.labels, true);
  const evalBackend = await createBackend(base, backendOptions);
  const t1 = performance.now();
  const logits: { label: number; logits: number[] }[] = [];
  for (const clip of test.clips) {
    const decoded = await decodeForModel({
      videoPath: clip.path,
      model: base,
      numSeg,
      ffmpegPath: ffmpeg.path,
    });
    const p = await predictClip({
      videoPath: clip.path,
      model: base,
      backend: evalBackend,
      clip: decoded,
      crop: 'center',
      topK: 1,
    });
    logits.push({ label: clip.label, logits: p.logits });
  }
  const evalMs = performance.now() - t1;
  await evalBackend.close();

  const report = {
    benchmark: 'finetune',
    date: new Date().toISOString(),
    node: process.version,
    cpu: { count: cpus().length, model: cpus()[0]?.model ?? 'unknown' },
    quick,
    backbone: `${base.id} (ResNet-${base.manifest.depth}, ${base.manifest.inputSize}px)`,
    clip: { seconds: render.seconds, size: `${render.width}x${render.height}`, fps: render.fps },
    finetune: {
      clips: result.trainClips,
      passes,
      numSeg,
      epochs: seedRecipe.epochs,
      seconds: finetuneMs / 1000,
      imagesThroughBackbone: result.trainClips * (passes + 1) * numSeg,
    },
    eval: {
      clips: logits.length,
      numSeg,
      crop: 'center',
      seconds: evalMs / 1000,
      clipsPerSecond: logits.length / (evalMs / 1000),
      top1OfDemoModel: evaluate(logits, base.labels).top1,
    },
  };
  const out = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bench', 'results', 'finetune.json');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(report, null, 2)}\nwritten to ${out}\n`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
