// Development tool: makes assets/models/demo-actions/ (docs/finetune.md). Renders training clips, measures
// the generated backbone's BatchNorm statistics on their frames, trains the head with the finetune code,
// evaluates on held-out rendered clips and writes the asset (BN statistics + fc, a few tens of kB).
// npm run build:demo-model [-- --clips-per-label 24 --eval-per-label 10 --passes 2 --max-neighbour-ms 1500]
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createBackend } from '../../src/inference/create-backend.js';
import { decodeForModel, predictClip } from '../../src/inference/predict-video.js';
import {
  createNormalizer,
  cropViews,
  imageFloats,
  writeCropNchw,
} from '../../src/inference/preprocess/index.js';
import { gaussianSource } from '../../src/inference/resnet/random-weights.js';
import { resnetPlan } from '../../src/inference/resnet/plan.js';
import { loadTfRuntime } from '../../src/inference/tfjs/tfjs-runtime.js';
import { writeSafetensors } from '../../src/model/safetensors.js';
import type { Model, Tensor } from '../../src/model/types.js';
import { demoBackbone } from '../../src/model-store/demo-backbone.js';
import {
  DEMO_SPEC_FILE,
  DEMO_TENSORS_FILE,
  demoManifest,
  tensorSha256,
  type DemoSpec,
} from '../../src/model-store/demo-model.js';
import { calibrateBatchNorm } from '../../src/training/bn-calibrate.js';
import { loadDataset } from '../../src/training/dataset.js';
import { decodePickedFrames } from '../../src/training/decode-frames.js';
import { finetune } from '../../src/training/finetune.js';
import { evaluate } from '../../src/training/metrics.js';
import { seedRecipe } from '../../src/training/recipe.js';
import { formatEvalText } from '../../src/training/report.js';
import { renderActionDataset } from './dataset.js';
import { renderWindowDataset } from './window-dataset.js';
import { ACTION_LABELS, liveActionVideo } from './render.js';

const { values } = parseArgs({
  options: {
    'clips-per-label': { type: 'string', default: '24' },
    'eval-per-label': { type: 'string', default: '10' },
    passes: { type: 'string', default: '2' },
    'max-neighbour-ms': { type: 'string', default: '1500' },
    'calibration-frames': { type: 'string', default: '48' },
    stem: { type: 'string', default: 'gabor' },
    'block-gamma': { type: 'string', default: '1' },
    'bn-variance-floor': { type: 'string', default: '10' },
    blocks: { type: 'string', default: 'pool' },
    out: { type: 'string' },
  },
});
const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const outDir = values.out ?? join(repo, 'assets', 'models', 'demo-actions');
const labels = [...ACTION_LABELS, 'idle'];
const numSeg = 8;
const WINDOW_MS = 4000; // configs/default.yaml defaults.windowMs
const log = (m: string): void => void process.stderr.write(`${m}\n`);

const specBase = {
  depth: 18 as const,
  backboneSeed: 2026,
  stem: values.stem === 'random' ? ('random' as const) : ('gabor' as const),
  blockGamma: Number(values['block-gamma']),
  bnVarianceFloor: Number(values['bn-variance-floor']),
  blocks: values.blocks === 'random' ? ('random' as const) : ('pool' as const),
  labels,
  numSeg,
};
const work = await mkdtemp(join(tmpdir(), 'tsn-demo-model-'));
try {
  // The live action cameras' own frame size and rate (liveActionVideo) and one recognition window per clip:
  // the frozen backbone's edge filters see a 160x120 clip scaled up to 256 as another (blurred) image, and
  // a model trained on such clips recognised under half of the 320x240 live windows. Training clips are
  // windows cut from live-like stretches (window-dataset.ts); held out: the same kind on new seeds, and
  // whole action clips from their first frame (`tsn simulate --render-actions`, the issue's criterion).
  const render = { ffmpegPath: 'ffmpeg', ...liveActionVideo, labels };
  const windows = { ...render, windowMs: WINDOW_MS, maxNeighbourMs: Number(values['max-neighbour-ms']) };
  log('rendering clips');
  await renderWindowDataset({
    ...windows,
    dir: join(work, 'train'),
    clipsPerLabel: Number(values['clips-per-label']),
    seed: 1,
  });
  await renderActionDataset({
    ...render,
    seconds: WINDOW_MS / 1000,
    dir: join(work, 'heldout'),
    clipsPerLabel: Number(values['eval-per-label']),
    seed: 2,
  });
  await renderWindowDataset({
    ...windows,
    dir: join(work, 'heldout-windows'),
    clipsPerLabel: Number(values['eval-per-label']),
    seed: 3,
  });
  const train = await loadDataset(join(work, 'train'));
  const heldout = await loadDataset(join(work, 'heldout'));
  const heldoutWindows = await loadDataset(join(work, 'heldout-windows'));

  let weights = demoBackbone({ ...specBase, numClasses: labels.length });
  const conv1Sha256 = tensorSha256(weights.get('conv1.weight') as Tensor);
  log('measuring BatchNorm statistics');
  const { tf } = await loadTfRuntime();
  const rng = gaussianSource(5);
  const n = Number(values['calibration-frames']);
  const images = new Float32Array(n * imageFloats(224));
  const normalizer = createNormalizer();
  for (let k = 0; k < n; k++) {
    const clip = train.clips[Math.floor(rng.uniform() * train.clips.length)];
    const d = await decodePickedFrames(clip?.path ?? '', 'ffmpeg', 256, (count) => [
      Math.floor(rng.uniform() * count),
    ]);
    const frame = [...d.frames.values()][0];
    if (frame === undefined) throw new Error('no frame');
    writeCropNchw(
      frame,
      cropViews(frame.width, frame.height, 224, 'center')[0] ?? { x: 0, y: 0, mirror: false },
      224,
      normalizer,
      images,
      k * imageFloats(224),
    );
  }
  // The variance floor keeps the backbone from amplifying small input changes (int8 rounding, noise):
  // docs/inference.md, INT8.
  weights = calibrateBatchNorm(tf, resnetPlan(18), weights, images, n, 224, {
    varianceFloor: specBase.bnVarianceFloor,
  });

  const spec: DemoSpec = { ...specBase, conv1Sha256 };
  const base: Model = {
    dir: join(work, 'base'),
    id: 'demo-backbone',
    manifest: demoManifest(spec, '0'.repeat(64)),
    weights,
    labels,
  };
  const backendOptions = {
    backend: 'onnx' as const,
    executionProviders: ['cpu' as const],
    threads: 0,
    thread: 'main' as const,
  };
  const backend = await createBackend(base, backendOptions);
  log(`features of ${train.clips.length} clips x ${values.passes} passes`);
  const result = await finetune({
    base,
    dataset: train,
    backend,
    ffmpegPath: 'ffmpeg',
    numSeg,
    passes: Number(values.passes),
    valSplit: 0,
    batchSize: 8,
    recipe: { ...seedRecipe },
  });
  // loadDataset numbers labels in sorted folder order; the model's labels keep ACTION_LABELS order, so the
  // head's rows are put in that order by name (the first asset shipped them unsorted: wave read as idle).
  const head = headInOrder(result.head, train.labels, labels);
  const trained: Model = {
    ...base,
    weights: new Map([
      ...weights,
      ['fc.weight', { shape: [labels.length, 512], data: head.weight }],
      ['fc.bias', { shape: [labels.length], data: head.bias }],
    ]),
  };
  await backend.close();
  // A backend built with the trained fc: tsn eval's own path (predictClip, centre crop, 8 segments).
  const evalBackend = await createBackend(trained, backendOptions);
  const r = await heldoutEval(trained, evalBackend, heldout, 'whole clips from their first frame');
  const rw = await heldoutEval(trained, evalBackend, heldoutWindows, 'live-like windows');
  await evalBackend.close();

  const overlay = new Map<string, Tensor>();
  for (const [name, t] of weights) if (/running_(mean|var)$/.test(name)) overlay.set(name, t);
  overlay.set('fc.weight', { shape: [labels.length, 512], data: head.weight });
  overlay.set('fc.bias', { shape: [labels.length], data: head.bias });
  await mkdir(outDir, { recursive: true });
  await writeSafetensors(join(outDir, DEMO_TENSORS_FILE), overlay, {
    producer: 'tsn-stream build-demo-model',
  });
  await writeFile(join(outDir, DEMO_SPEC_FILE), `${JSON.stringify(spec, null, 2)}\n`);
  await writeFile(
    join(outDir, 'heldout.json'),
    `${JSON.stringify({ clips: r.clips, top1: r.top1, perClass: r.perClass, confusion: r.confusion, labels, trainClips: result.trainClips, passes: Number(values.passes), numSeg, crop: 'center', size: `${liveActionVideo.width}x${liveActionVideo.height}`, fps: liveActionVideo.fps, clipMs: WINDOW_MS, trainSeed: 1, heldoutSeed: 2, windows: { clips: rw.clips, top1: rw.top1, perClass: rw.perClass, seed: 3, maxNeighbourMs: windows.maxNeighbourMs } }, null, 2)}\n`,
  );
  log(`wrote ${outDir}`);
} finally {
  await rm(work, { recursive: true, force: true });
}

function headInOrder(
  head: { readonly weight: Float32Array; readonly bias: Float32Array },
  from: readonly string[],
  to: readonly string[],
): { weight: Float32Array; bias: Float32Array } {
  const dim = head.weight.length / from.length;
  const weight = new Float32Array(head.weight.length);
  const bias = new Float32Array(to.length);
  for (const [i, label] of to.entries()) {
    const j = from.indexOf(label);
    if (j < 0) throw new Error(`label ${label} missing from the training set`);
    weight.set(head.weight.subarray(j * dim, (j + 1) * dim), i * dim);
    bias[i] = head.bias[j] as number;
  }
  return { weight, bias };
}

async function heldoutEval(
  model: Model,
  backend: Awaited<ReturnType<typeof createBackend>>,
  set: Awaited<ReturnType<typeof loadDataset>>,
  what: string,
): Promise<ReturnType<typeof evaluate>> {
  log(`held-out eval on ${set.clips.length} clips (${what})`);
  const logits: { label: number; logits: number[] }[] = [];
  for (const clip of set.clips) {
    const decoded = await decodeForModel({ videoPath: clip.path, model, numSeg, ffmpegPath: 'ffmpeg' });
    const p = await predictClip({
      videoPath: clip.path,
      model,
      backend,
      clip: decoded,
      crop: 'center',
      topK: 1,
    });
    logits.push({ label: labels.indexOf(set.labels[clip.label] as string), logits: p.logits });
  }
  const r = evaluate(logits, labels);
  log(formatEvalText(r));
  return r;
}
