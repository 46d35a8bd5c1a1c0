// Development tool: makes assets/models/demo-actions/ (docs/finetune.md). Renders training clips, measures
// the generated backbone's BatchNorm statistics on their frames, trains the head with the finetune code,
// evaluates on held-out rendered clips and writes the asset (BN statistics + fc, a few tens of kB).
// npm run build:demo-model [-- --clips-per-label 20 --eval-per-label 10 --passes 2]
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
import { ACTION_LABELS } from './render.js';

const { values } = parseArgs({
  options: {
    'clips-per-label': { type: 'string', default: '20' },
    'eval-per-label': { type: 'string', default: '10' },
    passes: { type: 'string', default: '2' },
    'calibration-frames': { type: 'string', default: '48' },
    stem: { type: 'string', default: 'gabor' },
    'block-gamma': { type: 'string', default: '1' },
    blocks: { type: 'string', default: 'pool' },
    out: { type: 'string' },
  },
});
const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const outDir = values.out ?? join(repo, 'assets', 'models', 'demo-actions');
const labels = [...ACTION_LABELS, 'idle'];
const numSeg = 8;
const log = (m: string): void => void process.stderr.write(`${m}\n`);

const specBase = {
  depth: 18 as const,
  backboneSeed: 2026,
  stem: values.stem === 'random' ? ('random' as const) : ('gabor' as const),
  blockGamma: Number(values['block-gamma']),
  blocks: values.blocks === 'random' ? ('random' as const) : ('pool' as const),
  labels,
  numSeg,
};
const work = await mkdtemp(join(tmpdir(), 'tsn-demo-model-'));
try {
  const render = { ffmpegPath: 'ffmpeg', seconds: 3, width: 160, height: 120, fps: 15, labels };
  log('rendering clips');
  await renderActionDataset({
    ...render,
    dir: join(work, 'train'),
    clipsPerLabel: Number(values['clips-per-label']),
    seed: 1,
  });
  await renderActionDataset({
    ...render,
    dir: join(work, 'heldout'),
    clipsPerLabel: Number(values['eval-per-label']),
    seed: 2,
  });
  const train = await loadDataset(join(work, 'train'));
  const heldout = await loadDataset(join(work, 'heldout'));

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
  weights = calibrateBatchNorm(tf, resnetPlan(18), weights, images, n, 224);

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
  const trained: Model = {
    ...base,
    weights: new Map([
      ...weights,
      ['fc.weight', { shape: [labels.length, 512], data: result.head.weight }],
      ['fc.bias', { shape: [labels.length], data: result.head.bias }],
    ]),
  };
  await backend.close();
  log(`held-out eval on ${heldout.clips.length} clips`);
  // A backend built with the trained fc: tsn eval's own path (predictClip, centre crop, 8 segments).
  const evalBackend = await createBackend(trained, backendOptions);
  const logits: { label: number; logits: number[] }[] = [];
  for (const clip of heldout.clips) {
    const decoded = await decodeForModel({
      videoPath: clip.path,
      model: trained,
      numSeg,
      ffmpegPath: 'ffmpeg',
    });
    const p = await predictClip({
      videoPath: clip.path,
      model: trained,
      backend: evalBackend,
      clip: decoded,
      crop: 'center',
      topK: 1,
    });
    logits.push({ label: clip.label, logits: p.logits });
  }
  await evalBackend.close();
  const r = evaluate(logits, labels);
  log(formatEvalText(r));

  const overlay = new Map<string, Tensor>();
  for (const [name, t] of weights) if (/running_(mean|var)$/.test(name)) overlay.set(name, t);
  overlay.set('fc.weight', { shape: [labels.length, 512], data: result.head.weight });
  overlay.set('fc.bias', { shape: [labels.length], data: result.head.bias });
  await mkdir(outDir, { recursive: true });
  await writeSafetensors(join(outDir, DEMO_TENSORS_FILE), overlay, {
    producer: 'tsn-stream build-demo-model',
  });
  await writeFile(join(outDir, DEMO_SPEC_FILE), `${JSON.stringify(spec, null, 2)}\n`);
  await writeFile(
    join(outDir, 'heldout.json'),
    `${JSON.stringify({ clips: r.clips, top1: r.top1, perClass: r.perClass, confusion: r.confusion, labels, trainClips: result.trainClips, passes: Number(values.passes), numSeg, crop: 'center', trainSeed: 1, heldoutSeed: 2 }, null, 2)}\n`,
  );
  log(`wrote ${outDir}`);
} finally {
  await rm(work, { recursive: true, force: true });
}
