import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { convertCheckpoint, type ConvertResult } from '../model/convert.js';
import type { ProgressListener } from '../model/checkpoint.js';
import { integerFlag, type Usage, usageFor } from './command-flags.js';

const usage: Usage = usageFor('convert');

interface ConvertFlags {
  readonly out?: string;
  readonly labels?: string;
  readonly numSeg?: string;
  readonly force?: boolean;
}

// Small files read in a blink; a bar would only flicker.
const PROGRESS_MIN_BYTES = 16 << 20;

export function registerConvertCommand(program: Command): void {
  program
    .command('convert')
    .description('convert a PaddleVideo TSN checkpoint (.pdparams) into a model directory')
    .argument('<checkpoint>', 'PaddleVideo .pdparams file (paddle.save state dict, pickle protocol 2 or 4)')
    .option('-o, --out <dir>', 'model directory to write (manifest.json, weights.safetensors, labels.txt)')
    .option(
      '--labels <file>',
      'class names, one per line ("index name" or "name"); default: Kinetics-400 for 400 classes',
    )
    .option('--num-seg <n>', 'default number of segments recorded in the manifest', '8')
    .option('--force', 'replace --out if it already holds a model directory')
    .action(async (checkpoint: string, flags: ConvertFlags) => {
      const result = await runConvert(checkpoint, flags);
      process.stdout.write(summary(result));
    });
}

async function runConvert(checkpoint: string, flags: ConvertFlags): Promise<ConvertResult> {
  if (flags.out === undefined) usage('--out DIR is required (the model directory to write)', '--out');
  const numSeg = integerFlag('convert', '--num-seg', flags.numSeg ?? '8', 1, 1000);
  const progress = progressBar();
  try {
    return await convertCheckpoint({
      checkpointPath: checkpoint,
      outDir: flags.out,
      ...(flags.labels === undefined ? {} : { labelsPath: flags.labels }),
      defaultNumSeg: numSeg,
      force: flags.force === true,
      ...(progress.update === undefined ? {} : { onProgress: progress.update }),
    });
  } finally {
    progress.stop();
  }
}

function progressBar(): { update: ProgressListener | undefined; stop: () => void } {
  if (process.stderr.isTTY !== true) return { update: undefined, stop: () => undefined };
  let bar: SingleBar | null = null;
  return {
    update: (read, total) => {
      if (total < PROGRESS_MIN_BYTES) return;
      if (bar === null) {
        bar = new SingleBar({
          stream: process.stderr,
          format: 'reading {bar} {percentage}% {value}/{total} MB',
        });
        bar.start(Math.ceil(total / 1e6), 0);
      }
      bar.update(read >= total ? Math.ceil(total / 1e6) : Math.floor(read / 1e6));
    },
    stop: () => bar?.stop(),
  };
}

function summary(r: ConvertResult): string {
  const m = r.manifest;
  return [
    `converted ${m.source.file}: TSN ResNet-${m.depth}, ${m.numClasses} classes, ${r.tensorCount} tensors`,
    `  sha256   ${m.source.sha256}`,
    `  labels   ${r.labelsSource}`,
    `  num_seg  ${m.defaultNumSeg} (default)`,
    `  model    ${r.dir} (id ${r.id})`,
    '',
  ].join('\n');
}
