import type { Command } from 'commander';
import { locateFfmpeg, type FfmpegLocation } from '../config/ffmpeg-path.js';
import { TsnError } from '../errors/index.js';
import type { Backend, BackendName, BackendOptions, ExecutionProvider } from '../inference/backend.js';
import { createBackend } from '../inference/create-backend.js';
import { decodeForModel, predictClip, type VideoPrediction } from '../inference/predict-video.js';
import type { CropMode } from '../inference/preprocess/index.js';
import { loadModel } from '../model/model-dir.js';
import type { Model } from '../model/types.js';
import { integerFlag, type Usage, usageFor } from './command-flags.js';

const usage: Usage = usageFor('predict');

interface PredictFlags {
  readonly model?: string;
  readonly numSeg?: string;
  readonly crop: string;
  readonly topK: string;
  readonly json?: boolean;
  readonly backend: string;
  readonly threads: string;
  readonly providers: string;
  readonly batchSize: string;
}

/** What the command needs from the outside; main.ts passes nothing and gets the real ones. */
export interface PredictDeps {
  readonly locateFfmpeg: () => FfmpegLocation | undefined;
  readonly loadModel: (dir: string) => Promise<Model>;
  readonly createBackend: (model: Model, options: BackendOptions) => Promise<Backend>;
  readonly write: (text: string) => void;
}

const defaultDeps: PredictDeps = {
  locateFfmpeg: () => locateFfmpeg(),
  loadModel,
  createBackend,
  write: (text) => process.stdout.write(text),
};

export function registerPredictCommand(program: Command, deps: PredictDeps = defaultDeps): void {
  program
    .command('predict')
    .description("classify a whole video file with PaddleVideo's TSN test pipeline")
    .argument('<video>', 'video file (anything ffmpeg decodes)')
    .option('-m, --model <dir>', 'model directory written by "tsn convert"')
    .option('--num-seg <n>', "segments sampled from the clip (default: the model's default_num_seg)")
    .option(
      '--crop <mode>',
      'center (1 view per frame) or ten (TenCrop: 10 views, PaddleVideo test setting)',
      'ten',
    )
    .option('-k, --top-k <k>', 'classes to list', '5')
    .option('--json', 'print one JSON object on stdout')
    .option('--backend <name>', 'onnx or tfjs', 'onnx')
    .option('--threads <n>', 'intra-op threads, 0 = all cores', '0')
    .option(
      '--providers <list>',
      'onnx execution providers in order of preference (cpu, cuda, tensorrt)',
      'cpu',
    )
    .option('--batch-size <n>', 'images per backbone call', '8')
    .action(async (video: string, flags: PredictFlags) => {
      deps.write(await runPredict(video, flags, deps));
    });
}

async function runPredict(video: string, flags: PredictFlags, deps: PredictDeps): Promise<string> {
  const options = parseFlags(flags);
  const ffmpeg = deps.locateFfmpeg();
  if (ffmpeg === undefined) {
    throw new TsnError(
      'E_FFMPEG_MISSING',
      'predict: no ffmpeg found: install ffmpeg (apt-get install ffmpeg), reinstall @ffmpeg-installer/ffmpeg, or set FFMPEG_PATH',
    );
  }
  const model = await deps.loadModel(options.modelDir);
  // Decode before building the backend: a wrong video path fails in a blink.
  const clip = await decodeForModel({
    videoPath: video,
    model,
    ...(options.numSeg === undefined ? {} : { numSeg: options.numSeg }),
    ffmpegPath: ffmpeg.path,
  });
  const backend = await deps.createBackend(model, options.backendOptions);
  try {
    const prediction = await predictClip({
      videoPath: video,
      model,
      backend,
      clip,
      crop: options.crop,
      topK: options.topK,
      batchSize: options.batchSize,
    });
    const report = { video, model, backend, prediction };
    return flags.json === true ? `${JSON.stringify(toJson(report))}\n` : toTable(report);
  } finally {
    await backend.close();
  }
}

interface ParsedFlags {
  readonly modelDir: string;
  readonly numSeg: number | undefined;
  readonly crop: CropMode;
  readonly topK: number;
  readonly batchSize: number;
  readonly backendOptions: BackendOptions;
}

function parseFlags(flags: PredictFlags): ParsedFlags {
  if (flags.model === undefined)
    usage('--model DIR is required (a directory written by "tsn convert")', '--model');
  if (flags.crop !== 'center' && flags.crop !== 'ten')
    usage(`--crop must be center or ten, got ${flags.crop}`, '--crop');
  if (flags.backend !== 'onnx' && flags.backend !== 'tfjs') {
    usage(`--backend must be onnx or tfjs, got ${flags.backend}`, '--backend');
  }
  const providers = flags.providers.split(',').map((p) => p.trim());
  const known: readonly string[] = ['cpu', 'cuda', 'tensorrt'];
  const unknown = providers.filter((p) => !known.includes(p));
  if (unknown.length > 0)
    usage(`--providers: unknown ${unknown.join(', ')} (use cpu, cuda, tensorrt)`, '--providers');
  return {
    modelDir: flags.model,
    numSeg:
      flags.numSeg === undefined ? undefined : integerFlag('predict', '--num-seg', flags.numSeg, 1, 1000),
    crop: flags.crop,
    topK: integerFlag('predict', '--top-k', flags.topK, 1, 100_000),
    batchSize: integerFlag('predict', '--batch-size', flags.batchSize, 1, 1024),
    backendOptions: {
      backend: flags.backend as BackendName,
      executionProviders: providers as ExecutionProvider[],
      threads: integerFlag('predict', '--threads', flags.threads, 0, 1024),
    },
  };
}

interface Report {
  readonly video: string;
  readonly model: Model;
  readonly backend: Backend;
  readonly prediction: VideoPrediction;
}

/** The --json contract (README.md): frames, indices, top, logits, plus what produced them. */
function toJson({ video, model, backend, prediction: p }: Report): Record<string, unknown> {
  return {
    video,
    model: {
      id: model.id,
      dir: model.dir,
      depth: model.manifest.depth,
      numClasses: model.manifest.numClasses,
    },
    backend: { name: backend.name, description: backend.description },
    numSeg: p.numSeg,
    crop: p.crop,
    frames: p.frames,
    indices: p.indices,
    sourceSize: p.sourceSize,
    scaledSize: p.scaledSize,
    inputShape: p.inputShape,
    top: p.top,
    logits: p.logits,
  };
}

function toTable({ video, model, backend, prediction: p }: Report): string {
  const m = model.manifest;
  const images = p.inputShape[1] ?? 0;
  const labelWidth = Math.max(5, ...p.top.map((t) => t.label.length));
  const lines = [
    `${video}: ${p.frames} frames, ${p.sourceSize.width}x${p.sourceSize.height} -> ${p.scaledSize.width}x${p.scaledSize.height}`,
    `  ${p.numSeg} segments x ${p.crop === 'ten' ? 'TenCrop' : 'CenterCrop'} = ${images} images; frames ${p.indices.join(',')}`,
    `  model ${model.id} (TSN ResNet-${m.depth}, ${m.numClasses} classes) on ${backend.description}`,
    '',
    ` rank  index  ${'label'.padEnd(labelWidth)}  score`,
    ...p.top.map(
      (t, i) =>
        ` ${String(i + 1).padStart(4)}  ${String(t.index).padStart(5)}  ${t.label.padEnd(labelWidth)}  ${t.score.toFixed(4)}`,
    ),
    '',
  ];
  return lines.join('\n');
}
