// INT8 vs FP32 agreement on held-out clips (issue 14, "accuracy kept", target top-1 >= 99%, top-5
// overlap >= 95%) for
// - a ResNet written by the Python reference (test/fixtures/reference/paddle_tsn_ref.py, the repo's copy of
//   the reference; random weights in PaddleVideo's layout, converted with tsn convert; needs python3-torch),
//   calibrated and evaluated on real-footage variants and lavfi patterns (disjoint sets);
// - the demo model (assets/models/demo-actions), calibrated on rendered action clips of one seed and
//   evaluated on held-out rendered clips of another (seed 2: the set its heldout.json was measured on);
// - any --model DIR (e.g. tsn_k400_8 once downloaded), on the reference's clip sets.
// npm run bench:quantize-accuracy [-- --depth 50 --classes 400 --calibrate 16 --held-out 100
//   --demo-per-label 20 --method minmax --no-bias-correction --no-equalize --equalization-alpha 0.5
//   --no-reference --no-demo]
// Quick check: npm run bench:quantize-accuracy -- --calibrate 4 --held-out 6 --demo-per-label 2
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { locateFfmpeg } from '../src/config/ffmpeg-path.js';
import type { CropMode } from '../src/inference/preprocess/index.js';
import type { Agreement } from '../src/inference/quantize/agreement.js';
import { checkAgreement } from '../src/inference/quantize/check-agreement.js';
import { quantizeModel } from '../src/inference/quantize/quantize-model.js';
import { renderActionDataset } from '../simulators/actions/dataset.js';
import { liveActionVideo } from '../simulators/actions/render.js';
import { convertCheckpoint } from '../src/model/convert.js';
import { loadModel } from '../src/model/model-dir.js';
import { ensureDemoModel } from '../src/model-store/index.js';
import type { CalibrationMethod, Model } from '../src/model/types.js';
import { parseBenchArgs } from './lib/bench-args.js';
import { cpuSummary } from './lib/cpu-summary.js';

const USAGE = `npm run bench:quantize-accuracy -- [options]
  --depth 18|34|50        the reference ResNet (default 50)
  --classes N             its classes (default 400)
  --calibrate N           calibration clips (default 16)
  --held-out N            held-out clips per model (default 100)
  --demo-per-label N      the demo model's held-out clips per label (default 20)
  --method minmax|percentile|entropy   calibration (default minmax)
  --no-bias-correction    quantize without bias correction
  --no-equalize           quantize without activation equalisation
  --equalization-alpha A  one strength for every tensor group, 0..1 (default: chosen per group)
  --crop center|ten       views per clip (default center)
  --num-seg N             segments per clip (default 8)
  --threads N             onnxruntime threads (default 0 = all cores)
  --model DIR             also measure this model directory (repeatable)
  --no-reference / --no-demo   skip the reference ResNet (needs python3-torch) / the demo model
Quick check: --calibrate 4 --held-out 6 --demo-per-label 2`;

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const reference = (name: string): string => join(repo, 'test', 'fixtures', 'reference', name);
const REAL = ['example.avi', 'clip_340x256.mp4', 'clip_400x300.mp4'];
const LAVFI = [
  (k: number): string => `testsrc2=size=320x240:rate=25,trim=start=${k % 7}`,
  (k: number): string => `mandelbrot=size=320x240:rate=25,trim=start=${k % 11}`,
  (k: number): string => `life=size=320x240:rate=25:mold=10:ratio=0.2:seed=${k + 1}`,
  (k: number): string => `cellauto=size=320x240:rate=25:rule=110:seed=${k + 1}`,
  (k: number): string => `smptehdbars=size=320x240:rate=25,hue=H=2*PI*t+${k}`,
];

/**
 * Clip k of a set: every other clip is real footage (a reference clip, shifted in time, mirrored or
 * re-graded), the others lavfi patterns. Sets differ in `salt`, so calibration and held-out never share
 * a clip.
 */
function renderClip(ffmpeg: string, dir: string, set: string, k: number, salt: number): string {
  const out = join(dir, `${set}-${k}.mp4`);
  const j = k * 2 + salt;
  let input: string[];
  if (k % 2 === 0) {
    const real = reference(REAL[j % REAL.length] ?? 'example.avi');
    const filters = [
      j % 3 === 1 ? 'hflip' : null,
      `eq=brightness=${(((j * 37) % 9) - 4) / 40}:contrast=${1 + (((j * 13) % 5) - 2) / 10}`,
    ].filter((f) => f !== null);
    input = ['-ss', String((j * 0.37) % 1.5), '-i', real, '-vf', filters.join(',')];
  } else {
    const source = LAVFI[j % LAVFI.length]?.(j) ?? 'testsrc2';
    input = ['-f', 'lavfi', '-i', source];
  }
  const args = ['-v', 'error', '-y', ...input, '-frames:v', '50', '-pix_fmt', 'yuv420p', out];
  const r = spawnSync(ffmpeg, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ffmpeg failed for ${set} clip ${k}: ${r.stderr}`);
  return out;
}

interface Options {
  depth: 18 | 34 | 50 | 101;
  classes: number;
  calibrate: number;
  heldOut: number;
  method: CalibrationMethod;
  crop: CropMode;
  numSeg: number;
  threads: number;
  models: string[];
  reference: boolean;
  demo: boolean;
  demoPerLabel: number;
  biasCorrection: boolean;
  equalize: boolean;
  equalizationAlpha: number | undefined;
  ffmpeg: string;
}

function options(): Options {
  const values = parseBenchArgs('bench:quantize-accuracy', USAGE, {
    depth: { type: 'string', default: '50' },
    classes: { type: 'string', default: '400' },
    calibrate: { type: 'string', default: '16' },
    'held-out': { type: 'string', default: '100' },
    method: { type: 'string', default: 'minmax' },
    crop: { type: 'string', default: 'center' },
    'num-seg': { type: 'string', default: '8' },
    threads: { type: 'string', default: '0' },
    model: { type: 'string', multiple: true, default: [] },
    'no-reference': { type: 'boolean', default: false },
    'no-demo': { type: 'boolean', default: false },
    'demo-per-label': { type: 'string', default: '20' },
    'no-bias-correction': { type: 'boolean', default: false },
    'no-equalize': { type: 'boolean', default: false },
    'equalization-alpha': { type: 'string' },
  });
  const ffmpeg = locateFfmpeg()?.path;
  if (ffmpeg === undefined) throw new Error('needs ffmpeg (apt-get install ffmpeg)');
  return {
    depth: Number(values.depth) as Options['depth'],
    classes: Number(values.classes),
    calibrate: Number(values.calibrate),
    heldOut: Number(values['held-out']),
    method: values.method as CalibrationMethod,
    crop: values.crop === 'ten' ? 'ten' : 'center',
    numSeg: Number(values['num-seg']),
    threads: Number(values.threads),
    models: values.model,
    reference: !values['no-reference'],
    demo: !values['no-demo'],
    demoPerLabel: Number(values['demo-per-label']),
    biasCorrection: !values['no-bias-correction'],
    equalize: !values['no-equalize'],
    equalizationAlpha:
      values['equalization-alpha'] === undefined ? undefined : Number(values['equalization-alpha']),
    ffmpeg,
  };
}

/** The reference writes a PaddleVideo-layout checkpoint; tsn convert turns it into a model directory. */
async function referenceModel(o: Options, dir: string): Promise<Model> {
  const pdparams = join(dir, `ref-r${o.depth}.pdparams`);
  const args = [reference('paddle_tsn_ref.py'), 'weights', pdparams, '--depth', String(o.depth)];
  const r = spawnSync('/usr/bin/python3', [...args, '--classes', String(o.classes), '--seed', '1'], {
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`the Python reference failed (needs python3-torch): ${r.stderr}`);
  return convertCheckpoint({ checkpointPath: pdparams, outDir: join(dir, `ref-r${o.depth}`) });
}

/** The demo model is built from the package assets (as tsn serve does) into the bench's temp dir. */
async function demoModel(dir: string): Promise<Model> {
  const log = { info: (_f: Record<string, unknown>, m: string): void => console.log(m) };
  return loadModel(await ensureDemoModel(dir, log));
}

interface Suite {
  readonly name: string;
  readonly model: Model;
  readonly calibration: readonly string[];
  readonly heldOut: readonly string[];
}

/**
 * The demo model on its own kind of footage: rendered action clips at the live action cameras' size and
 * rate and one recognition window long (what it was trained on, docs/finetune.md). Calibration seed 3
 * (training used 1); held-out seed 2, as in its heldout.json.
 */
async function demoSuite(o: Options, dir: string): Promise<Suite> {
  const model = await demoModel(dir);
  const render = { ffmpegPath: o.ffmpeg, ...liveActionVideo, seconds: 4, labels: model.labels };
  const perLabel = Math.max(1, Math.ceil(o.calibrate / model.labels.length));
  const calibration = await renderActionDataset({
    ...render,
    dir: join(dir, 'demo-calib'),
    clipsPerLabel: perLabel,
    seed: 3,
  });
  const heldOut = await renderActionDataset({
    ...render,
    dir: join(dir, 'demo-held'),
    clipsPerLabel: o.demoPerLabel,
    seed: 2,
  });
  return {
    name: 'demo-actions (rendered action clips)',
    model,
    calibration: calibration.map((c) => c.path),
    heldOut: heldOut.map((c) => c.path),
  };
}

interface SuiteResult {
  readonly suite: string;
  readonly model: string;
  readonly depth: number;
  readonly classes: number;
  readonly calibrationClips: number;
  readonly agreement: Agreement;
  /** RMS change int8 makes to float32's top-1/top-2 margin (logits), and the clips whose margin is below it. */
  readonly marginNoise: number;
  readonly nearTies: number;
  /** The int8 weight range this CPU's kernels take (src/inference/quantize/weight-limit.ts). */
  readonly weightLimit: number;
  /** Whether the table equalises activations (by default only with 8-bit weights). */
  readonly equalized: boolean;
  /** Whether the bar is met: top-1 agreement >= 99% and top-5 overlap >= 95%. */
  readonly meetsTarget: boolean;
  readonly seconds: number;
}

async function runSuite(s: Suite, outDir: string, o: Options): Promise<SuiteResult> {
  const start = performance.now();
  const q = await quantizeModel({
    model: s.model,
    videos: [...s.calibration],
    outDir,
    method: o.method,
    biasCorrection: o.biasCorrection,
    ...(o.equalize ? {} : { equalize: false }),
    ...(o.equalizationAlpha === undefined ? {} : { equalizationAlpha: o.equalizationAlpha }),
    ffmpegPath: o.ffmpeg,
    numSeg: o.numSeg,
    crop: o.crop,
    threads: o.threads,
  });
  const { marginNoise, nearTies, ...agreement } = await checkAgreement({
    fp32: s.model,
    int8: await loadModel(q.dir),
    videos: s.heldOut,
    ffmpegPath: o.ffmpeg,
    numSeg: o.numSeg,
    crop: o.crop,
    threads: o.threads,
  });
  const seconds = (performance.now() - start) / 1000;
  const { manifest } = s.model;
  console.log(
    `${s.name}: ${s.model.id} (ResNet-${manifest.depth}, ${manifest.numClasses} classes): top-1 agreement ` +
      `${(agreement.top1 * 100).toFixed(1)}%, top-5 overlap ${(agreement.top5Overlap * 100).toFixed(1)}%, ` +
      `logits correlation ${agreement.correlation.toFixed(5)}, max |diff| ${agreement.maxAbsDiff.toFixed(4)} ` +
      `over ${agreement.clips} held-out clips, ${s.calibration.length} calibration clips (${seconds.toFixed(0)} s); ` +
      `margin change ${marginNoise.toFixed(3)} logits RMS, ${nearTies} clips with a smaller margin; ` +
      `weights +-${q.weightLimit}${q.manifest.quantization?.equalization === undefined ? '' : ', equalised'}`,
  );
  return {
    suite: s.name,
    model: s.model.id,
    depth: manifest.depth,
    classes: manifest.numClasses,
    calibrationClips: s.calibration.length,
    agreement,
    marginNoise: Number(marginNoise.toFixed(4)),
    nearTies,
    weightLimit: q.weightLimit,
    equalized: q.manifest.quantization?.equalization !== undefined,
    meetsTarget: agreement.top1 >= 0.99 && agreement.top5Overlap >= 0.95,
    seconds: Number(seconds.toFixed(1)),
  };
}

async function main(): Promise<void> {
  const o = options();
  const dir = mkdtempSync(join(tmpdir(), 'tsn-quantize-accuracy-'));
  try {
    const suites: Suite[] = [];
    if (o.demo) suites.push(await demoSuite(o, dir));
    if (o.reference || o.models.length > 0) {
      const calibration = Array.from({ length: o.calibrate }, (_, k) =>
        renderClip(o.ffmpeg, dir, 'calib', k, 0),
      );
      const heldOut = Array.from({ length: o.heldOut }, (_, k) => renderClip(o.ffmpeg, dir, 'held', k, 1));
      const models: Model[] = o.reference ? [await referenceModel(o, dir)] : [];
      for (const m of o.models) models.push(await loadModel(m));
      for (const model of models) {
        const name = model.id.startsWith('ref-') ? 'reference ResNet (paddle_tsn_ref.py)' : model.id;
        suites.push({ name, model, calibration, heldOut });
      }
    }
    const results: SuiteResult[] = [];
    for (const [i, s] of suites.entries()) results.push(await runSuite(s, join(dir, `int8-${i}`), o));
    const out = join(repo, 'bench', 'results', 'quantize-accuracy.json');
    mkdirSync(dirname(out), { recursive: true });
    const { ffmpeg: _ffmpeg, ...settings } = o;
    const report = {
      benchmark: 'quantize-accuracy',
      date: new Date().toISOString(),
      cpu: cpuSummary(),
      target: { top1: 0.99, top5Overlap: 0.95 },
      settings,
      results,
    };
    writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`wrote ${out}`);
    if (results.some((r) => !r.meetsTarget)) console.log('NOTE: a model is below the target (see above)');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
