import type { Command } from 'commander';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { locateFfmpeg } from '../config/ffmpeg-path.js';
import { TsnError } from '../errors/index.js';
import { createBackend } from '../inference/create-backend.js';
import { loadModel, writeModelDir } from '../model/model-dir.js';
import { loadDataset } from '../training/dataset.js';
import { finetune, finetunedModel, type FinetuneResult } from '../training/finetune.js';
import { seedRecipe } from '../training/recipe.js';
import { confusionSvg, curveSvg, formatCurveText, formatEvalText } from '../training/report.js';
import { countProgress } from './cli-progress-bar.js';
import {
  backendFlags,
  integerFlag,
  numberFlag,
  resolveModelArg,
  type Usage,
  usageFor,
} from './command-flags.js';

const usage: Usage = usageFor('finetune');

interface FinetuneFlags {
  readonly model?: string;
  readonly data?: string;
  readonly labels?: string;
  readonly out?: string;
  readonly numSeg?: string;
  readonly epochs: string;
  readonly lr: string;
  readonly valSplit: string;
  readonly seed: string;
  readonly passes: string;
  readonly batchSize: string;
  readonly backend: string;
  readonly threads: string;
  readonly json?: boolean;
}

export function registerFinetuneCommand(program: Command): void {
  program
    .command('finetune')
    .description(
      "train TSN's head for your own labels on a frozen backbone (features cached once, the seed's recipe); writes a model directory",
    )
    .option(
      '-m, --model <base>',
      'base model: a model directory, or a model name (demo-actions, tsn_k400_8, ...)',
    )
    .option(
      '--data <dir|list>',
      'a folder with one sub-folder of videos per label, or a PaddleVideo list file',
    )
    .option('--labels <file>', 'with a list file: class names, one per line (or "index name")')
    .option('--out <dir>', 'model directory to write (replaces a model directory already there)')
    .option('--num-seg <n>', "segments per clip (default: the base model's)")
    .option('--epochs <n>', 'epochs (lr / 10 at 40% and 80%)', String(seedRecipe.epochs))
    .option(
      '--lr <rate>',
      'base learning rate (momentum 0.9, L2 1e-4, clip 40, dropout 0.4)',
      String(seedRecipe.lr),
    )
    .option('--val-split <fraction>', 'share of each label held out for validation (0 = none)', '0.2')
    .option(
      '--seed <n>',
      'seed of the split, the augmentation and the initialisation',
      String(seedRecipe.seed),
    )
    .option(
      '--passes <n>',
      'augmented feature passes per training clip (the centre-crop view is always used too)',
      '4',
    )
    .option('--batch-size <n>', 'images per backbone call', '8')
    .option('--backend <name>', 'onnx or tfjs', 'onnx')
    .option('--threads <n>', 'intra-op threads, 0 = all cores', '0')
    .option('--json', 'print one JSON object on stdout')
    .action(async (flags: FinetuneFlags) => {
      process.stdout.write(await runFinetune(flags));
    });
}

async function runFinetune(flags: FinetuneFlags): Promise<string> {
  if (flags.model === undefined) usage('--model BASE is required (a model directory or name)', '--model');
  if (flags.data === undefined) usage('--data DIR is required (one sub-folder per label)', '--data');
  if (flags.out === undefined) usage('--out DIR is required (the model directory to write)', '--out');
  const ffmpeg = locateFfmpeg();
  if (ffmpeg === undefined)
    throw new TsnError(
      'E_FFMPEG_MISSING',
      'finetune: no ffmpeg found: install ffmpeg (apt-get install ffmpeg) or set FFMPEG_PATH',
    );
  const recipe = {
    ...seedRecipe,
    epochs: integerFlag('finetune', '--epochs', flags.epochs, 1, 100_000),
    lr: numberFlag('finetune', '--lr', flags.lr, 1e-9, 100),
    seed: integerFlag('finetune', '--seed', flags.seed, 0, 2 ** 31 - 1),
  };
  const valSplit = numberFlag('finetune', '--val-split', flags.valSplit, 0, 0.9);
  const passes = integerFlag('finetune', '--passes', flags.passes, 0, 100);
  const batchSize = integerFlag('finetune', '--batch-size', flags.batchSize, 1, 1024);
  const options = backendFlags('finetune', flags);
  const dataset = await loadDataset(flags.data, flags.labels);
  const base = await loadModel(await resolveModelArg(flags.model));
  const numSeg =
    flags.numSeg === undefined
      ? base.manifest.defaultNumSeg
      : integerFlag('finetune', '--num-seg', flags.numSeg, 1, 1000);
  const backend = await createBackend(base, { ...options, thread: 'main' });
  let result: FinetuneResult;
  try {
    result = await finetune({
      base,
      dataset,
      backend,
      ffmpegPath: ffmpeg.path,
      numSeg,
      passes,
      valSplit,
      recipe,
      batchSize,
      progress: countProgress(
        'features',
        process.stderr,
        flags.json === true && process.stderr.isTTY !== true,
      ),
    });
  } finally {
    await backend.close();
  }
  if (result.trainClips === 0)
    throw new TsnError(
      'E_DATASET',
      `finetune: no training clip could be decoded (${result.skipped[0]?.reason ?? ''})`,
    );
  const out = resolve(flags.out);
  await writeModelDir(out, finetunedModel(base, result.labels, result.head, numSeg));
  const summary = {
    out,
    base: base.id,
    labels: result.labels,
    numSeg,
    passes,
    recipe,
    trainClips: result.trainClips,
    valClips: result.valClips,
    skipped: result.skipped,
    curve: result.head.curve,
    val: result.val === undefined ? null : { ...result.val },
  };
  await writeFile(join(out, 'training.json'), `${JSON.stringify(summary, null, 2)}\n`);
  await writeFile(join(out, 'curve.svg'), curveSvg(result.head.curve));
  if (result.val !== undefined) {
    await writeFile(join(out, 'confusion.txt'), formatEvalText(result.val));
    await writeFile(
      join(out, 'confusion.json'),
      `${JSON.stringify({ labels: result.labels, confusion: result.val.confusion })}\n`,
    );
    await writeFile(join(out, 'confusion.svg'), confusionSvg(result.val));
  }
  if (flags.json === true) return `${JSON.stringify(summary)}\n`;
  return [
    `finetuned ${base.id} on ${result.trainClips} clips (${result.labels.length} labels, ${numSeg} segments, ${passes} augmented passes) -> ${out}`,
    ...result.skipped.map((s) => `skipped ${s.path}: ${s.reason}`),
    '',
    formatCurveText(result.head.curve),
    result.val === undefined
      ? 'no validation split (--val-split 0)\n'
      : `validation (centre crop, ${numSeg} segments):\n${formatEvalText(result.val)}`,
    `wrote manifest.json, weights.safetensors, labels.txt, training.json, curve.svg${result.val === undefined ? '' : ', confusion.{txt,json,svg}'} in ${out}`,
    '',
  ].join('\n');
}
