import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { locateFfmpeg } from '../config/ffmpeg-path.js';
import { TsnError } from '../errors/index.js';
import { type AgreementCheck, checkAgreement } from '../inference/quantize/check-agreement.js';
import { quantizeModel, type QuantizeResult } from '../inference/quantize/quantize-model.js';
import type { CropMode } from '../inference/preprocess/index.js';
import { describeWeightLimit } from '../inference/quantize/weight-limit.js';
import { loadModel } from '../model/model-dir.js';
import type { CalibrationMethod } from '../model/types.js';
import { integerFlag, type Usage, usageFor } from './command-flags.js';

const usage: Usage = usageFor('quantize');

interface QuantizeFlags {
  readonly calibrate?: string[];
  readonly out?: string;
  readonly method: string;
  readonly numSeg?: string;
  readonly crop: string;
  readonly threads: string;
  readonly force?: boolean;
  /** commander's --no-check / --no-bias-correction / --no-equalize: true unless given. */
  readonly check: boolean;
  readonly biasCorrection: boolean;
  readonly equalize: boolean;
}

const METHODS: readonly CalibrationMethod[] = ['minmax', 'percentile', 'entropy'];

export function registerQuantizeCommand(program: Command): void {
  program
    .command('quantize')
    .description('write an INT8 copy of a model directory, calibrated on video clips')
    .argument('<model-dir>', 'float32 model directory written by "tsn convert"')
    .option('--calibrate <videos...>', 'calibration clips (anything ffmpeg decodes; like the footage served)')
    .option('-o, --out <dir>', 'model directory to write (manifest says precision int8)')
    .option('--method <name>', 'activation ranges: minmax, percentile (99.99%) or entropy (KL)', 'minmax')
    .option('--num-seg <n>', "frames sampled per clip (default: the model's default_num_seg)")
    .option('--crop <mode>', 'center (1 view per frame) or ten (TenCrop: 10 views)', 'center')
    .option('--threads <n>', 'intra-op threads for the calibration runs, 0 = all cores', '0')
    .option('--force', 'replace --out if it already holds a model directory')
    .option('--no-equalize', 'skip activation equalisation (per-channel scales that even out each tensor)')
    .option('--no-bias-correction', "skip bias correction (int8 rounding's per-channel mean shift)")
    .option('--no-check', 'skip comparing int8 with float32 logits on the calibration clips afterwards')
    .action(async (modelDir: string, flags: QuantizeFlags) => {
      const { result, check } = await runQuantize(modelDir, flags);
      process.stdout.write(summary(result, check));
    });
}

async function runQuantize(
  modelDir: string,
  flags: QuantizeFlags,
): Promise<{ result: QuantizeResult; check: AgreementCheck | undefined }> {
  if (flags.out === undefined) usage('--out DIR is required (the int8 model directory to write)', '--out');
  const videos = flags.calibrate ?? [];
  if (videos.length === 0) usage('--calibrate VIDEO... is required (at least one clip)', '--calibrate');
  const method = flags.method as CalibrationMethod;
  if (!METHODS.includes(method))
    usage(`--method must be ${METHODS.join(', ')}; got ${flags.method}`, '--method');
  const crop: CropMode =
    flags.crop === 'center' || flags.crop === 'ten'
      ? flags.crop
      : usage(`--crop must be center or ten, got ${flags.crop}`, '--crop');
  const numSeg =
    flags.numSeg === undefined ? undefined : integerFlag('quantize', '--num-seg', flags.numSeg, 1, 1000);
  const threads = integerFlag('quantize', '--threads', flags.threads, 0, 1024);
  const ffmpeg = locateFfmpeg();
  if (ffmpeg === undefined) {
    throw new TsnError(
      'E_FFMPEG_MISSING',
      'quantize: no ffmpeg found: install ffmpeg (apt-get install ffmpeg), reinstall @ffmpeg-installer/ffmpeg, or set FFMPEG_PATH',
    );
  }
  const model = await loadModel(modelDir);
  const bar = progressBar();
  const common = { ffmpegPath: ffmpeg.path, ...(numSeg === undefined ? {} : { numSeg }), crop };
  try {
    const result = await quantizeModel({
      ...common,
      model,
      videos,
      outDir: flags.out,
      method,
      threads,
      force: flags.force === true,
      biasCorrection: flags.biasCorrection,
      ...(flags.equalize ? {} : { equalize: false }),
      onProgress: bar.update,
    });
    if (!flags.check) return { result, check: undefined };
    const int8 = await loadModel(result.dir);
    const onClip = (done: number, total: number): void => bar.update('check', done, total);
    const check = await checkAgreement({ ...common, fp32: model, int8, videos, threads, onClip });
    return { result, check };
  } finally {
    bar.stop();
  }
}

const stageLabels: Readonly<Record<string, string>> = {
  decode: 'decoding clips ',
  equalize: 'equalising     ',
  calibrate: 'calibrating    ',
  bias: 'bias correction',
  check: 'int8 vs float32',
};

function progressBar(): { update: (stage: string, done: number, total: number) => void; stop: () => void } {
  if (process.stderr.isTTY !== true) return { update: () => undefined, stop: () => undefined };
  const bar = new SingleBar({ stream: process.stderr, format: '{stage} {bar} {value}/{total}' });
  let started = '';
  return {
    update: (stage, done, total) => {
      if (started !== stage) {
        if (started !== '') bar.stop();
        bar.start(total, 0, { stage: stageLabels[stage] ?? stage });
        started = stage;
      }
      bar.update(done);
    },
    stop: () => {
      if (started !== '') bar.stop();
    },
  };
}

function summary(r: QuantizeResult, check: AgreementCheck | undefined): string {
  const q = r.manifest.quantization;
  const bias = q?.biasCorrection;
  return [
    `quantized TSN ResNet-${r.manifest.depth} to int8 (${q?.method ?? '?'} calibration)`,
    `  calibration  ${q?.calibration.images ?? 0} images from ${q?.calibration.clips.length ?? 0} clips`,
    `  activations  ${Object.keys(q?.ranges ?? {}).length} uint8 tensors${q?.input === 'pixels' ? ' (the input as its pixel bytes)' : ''}`,
    `  weights      per output channel; on this machine ${describeWeightLimit(r.weightLimit)}`,
    q?.equalization === undefined
      ? `  channels     not equalised (${r.weightLimit === 127 ? '--no-equalize' : 'off with 7-bit weights: it measured worse there'})`
      : `  channels     equalised in ${Object.keys(q.equalization).length} tensor groups (finer uint8 levels for narrow channels)`,
    bias === undefined
      ? '  bias         not corrected (--no-bias-correction)'
      : `  bias         corrected on ${Object.keys(bias).length} convs (int8 rounding's mean shift)`,
    ...(check === undefined ? [] : checkLines(check)),
    `  model        ${r.dir} (id ${r.id})`,
    '',
  ].join('\n');
}

/**
 * The check runs on the calibration clips, which flatter int8 a little; held-out clips of the footage
 * served judge better (npm run bench:quantize-accuracy).
 */
function checkLines(c: AgreementCheck): string[] {
  const agreeing = Math.round(c.top1 * c.clips);
  return [
    `  check        on the ${c.clips} calibration clips: top-1 agrees on ${agreeing}/${c.clips}, ` +
      `top-5 overlap ${(c.top5Overlap * 100).toFixed(1)} %, max |int8 - float32| ${c.maxAbsDiff.toFixed(3)} logits`,
    `               int8 moves the top-1/top-2 margin by ${c.marginNoise.toFixed(3)} logits (RMS); ` +
      `${c.nearTies} clip(s) have a float32 margin below that (near-ties int8 may flip)`,
  ];
}
