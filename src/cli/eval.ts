import type { Command } from 'commander';
import { stat } from 'node:fs/promises';
import { locateFfmpeg } from '../config/ffmpeg-path.js';
import { TsnError } from '../errors/index.js';
import { createBackend } from '../inference/create-backend.js';
import { decodeForModel, predictClip } from '../inference/predict-video.js';
import { loadModel } from '../model/model-dir.js';
import { alignToModel, loadDataset } from '../training/dataset.js';
import { evaluate } from '../training/metrics.js';
import { formatEvalText } from '../training/report.js';
import { countProgress } from './cli-progress-bar.js';
import { backendFlags, integerFlag, resolveModelArg, type Usage, usageFor } from './command-flags.js';

const usage: Usage = usageFor('eval');

interface EvalFlags {
  readonly model?: string;
  readonly data?: string;
  readonly labels?: string;
  readonly numSeg?: string;
  readonly crop: string;
  readonly batchSize: string;
  readonly backend: string;
  readonly threads: string;
  readonly json?: boolean;
}

export function registerEvalCommand(program: Command): void {
  program
    .command('eval')
    .description(
      "accuracy of a model on a labelled clip set with PaddleVideo's test protocol (top-1, top-5, per class)",
    )
    .option('-m, --model <dir>', 'model directory (or a model name: demo-actions, tsn_k400_8, ...)')
    .option(
      '--data <dir|list>',
      'a folder with one sub-folder per label (names = model labels), or a PaddleVideo list file',
    )
    .option('--labels <file>', "with a list file: its class names (default: the model's labels)")
    .option('--num-seg <n>', "segments per clip (default: the model's; PaddleVideo's test table uses 25)")
    .option('--crop <mode>', 'center (1 view) or ten (TenCrop, the test table setting)', 'center')
    .option('--batch-size <n>', 'images per backbone call', '8')
    .option('--backend <name>', 'onnx or tfjs', 'onnx')
    .option('--threads <n>', 'intra-op threads, 0 = all cores', '0')
    .option('--json', 'print { clips, top1, top5, perClass, confusion } on stdout')
    .action(async (flags: EvalFlags) => {
      process.stdout.write(await runEval(flags));
    });
}

async function runEval(flags: EvalFlags): Promise<string> {
  if (flags.model === undefined) usage('--model DIR is required', '--model');
  if (flags.data === undefined) usage('--data DIR|LIST is required', '--data');
  if (flags.crop !== 'center' && flags.crop !== 'ten')
    usage(`--crop must be center or ten, got ${flags.crop}`, '--crop');
  const crop = flags.crop;
  const ffmpeg = locateFfmpeg();
  if (ffmpeg === undefined)
    throw new TsnError(
      'E_FFMPEG_MISSING',
      'eval: no ffmpeg found: install ffmpeg (apt-get install ffmpeg) or set FFMPEG_PATH',
    );
  const options = backendFlags('eval', flags);
  const batchSize = integerFlag('eval', '--batch-size', flags.batchSize, 1, 1024);
  const model = await loadModel(await resolveModelArg(flags.model));
  const numSeg =
    flags.numSeg === undefined
      ? model.manifest.defaultNumSeg
      : integerFlag('eval', '--num-seg', flags.numSeg, 1, 1000);
  const isDir = (await stat(flags.data).catch(() => null))?.isDirectory() === true;
  // A list file without --labels indexes the model's own classes.
  const dataset = isDir
    ? alignToModel(await loadDataset(flags.data), model.labels, true)
    : alignToModel(
        await loadDataset(flags.data, flags.labels ?? `${model.dir}/${model.manifest.labelsFile}`),
        model.labels,
        false,
      );
  const backend = await createBackend(model, { ...options, thread: 'main' });
  const progress = countProgress(
    'eval',
    process.stderr,
    flags.json === true && process.stderr.isTTY !== true,
  );
  const results: { label: number; logits: number[] }[] = [];
  const failed: { path: string; reason: string }[] = [];
  progress.start(dataset.clips.length);
  try {
    for (const clip of dataset.clips) {
      try {
        const decoded = await decodeForModel({
          videoPath: clip.path,
          model,
          numSeg,
          ffmpegPath: ffmpeg.path,
        });
        const p = await predictClip({
          videoPath: clip.path,
          model,
          backend,
          clip: decoded,
          crop,
          topK: 5,
          batchSize,
        });
        results.push({ label: clip.label, logits: p.logits });
      } catch (error) {
        failed.push({ path: clip.path, reason: (error as Error).message });
      }
      progress.tick(clip.path);
    }
  } finally {
    progress.stop();
    await backend.close();
  }
  if (results.length === 0)
    throw new TsnError('E_DATASET', `eval: no clip could be decoded (${failed[0]?.reason ?? ''})`);
  const r = evaluate(results, model.labels);
  if (flags.json === true) {
    const { clips, top1, top5, perClass, confusion } = r;
    return `${JSON.stringify({ clips, top1, top5, perClass, confusion, labels: model.labels, numSeg, crop, model: model.id, failed })}\n`;
  }
  return [
    `${model.id} on ${dataset.source}: ${numSeg} segments x ${crop === 'ten' ? 'TenCrop' : 'CenterCrop'}`,
    ...failed.map((f) => `failed ${f.path}: ${f.reason}`),
    formatEvalText(r),
  ].join('\n');
}
