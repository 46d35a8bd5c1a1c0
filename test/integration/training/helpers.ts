import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { tsnBin } from '../../helpers/paths.js';

const run = promisify(execFile);

/** Runs `node bin/tsn.js ...args` and parses its --json stdout. */
export async function tsnJson<T>(args: readonly string[]): Promise<T> {
  const { stdout } = await run(process.execPath, [tsnBin, ...args], { maxBuffer: 64 * 1024 * 1024 });
  return JSON.parse(stdout) as T;
}

/** Runs `node bin/tsn.js ...args` for its effect; rejects with its stderr on a non-zero exit. */
export async function tsn(args: readonly string[]): Promise<void> {
  await run(process.execPath, [tsnBin, ...args], { maxBuffer: 64 * 1024 * 1024 });
}

export async function ffmpeg(args: readonly string[]): Promise<void> {
  await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args]);
}

export interface EvalJson {
  readonly clips: number;
  readonly top1: number;
  readonly top5: number;
  readonly perClass: Record<string, number>;
  readonly confusion: number[][];
}

export const silentLog = { info: () => undefined };
