// The --render-actions mode of `tsn simulate`: option parsing and a progress line per clip.
import { resolve } from 'node:path';
import { TsnError } from '../../src/errors/index.js';
import { renderActionDataset } from './dataset.js';

export interface RenderActionsFlags {
  readonly renderActions: string;
  readonly clipsPerLabel: string;
  readonly seed: string;
  readonly seconds: string;
  readonly size: string;
  readonly fps: string;
}

export const renderActionsDefaults = {
  clipsPerLabel: '20',
  seed: '1',
  seconds: '3',
  size: '160x120',
  fps: '15',
};

export async function runRenderActions(
  flags: RenderActionsFlags,
  ffmpegPath: string,
  log: (line: string) => void,
): Promise<void> {
  const size = /^(\d+)x(\d+)$/.exec(flags.size);
  if (size === null) usage(`--size must look like 160x120, got ${flags.size}`, '--size');
  const dir = resolve(flags.renderActions);
  const clips = await renderActionDataset({
    dir,
    ffmpegPath,
    clipsPerLabel: integer('--clips-per-label', flags.clipsPerLabel, 1, 100_000),
    seed: integer('--seed', flags.seed, 0, 2 ** 31 - 1),
    seconds: number('--seconds', flags.seconds, 0.2, 600),
    width: even('--size', Number(size[1])),
    height: even('--size', Number(size[2])),
    fps: number('--fps', flags.fps, 1, 120),
    onClip: ({ path, done, total }) => log(`[${done}/${total}] ${path}`),
  });
  log(
    `wrote ${clips.length} clips under ${dir} (one folder per label; train with tsn finetune --data ${dir})`,
  );
}

function integer(flag: string, text: string, min: number, max: number): number {
  const v = Number(text);
  if (!Number.isInteger(v) || v < min || v > max)
    usage(`${flag} must be an integer ${min}..${max}, got ${text}`, flag);
  return v;
}

function number(flag: string, text: string, min: number, max: number): number {
  const v = Number(text);
  if (!Number.isFinite(v) || v < min || v > max)
    usage(`${flag} must be a number ${min}..${max}, got ${text}`, flag);
  return v;
}

function even(flag: string, v: number): number {
  if (!Number.isInteger(v) || v < 16 || v > 4096 || v % 2 !== 0)
    usage(`${flag}: width and height must be even numbers 16..4096, got ${v}`, flag);
  return v;
}

function usage(message: string, flag: string): never {
  throw new TsnError('E_SIM_ARGS', `simulate --render-actions: ${message}`, { context: { flag } });
}
