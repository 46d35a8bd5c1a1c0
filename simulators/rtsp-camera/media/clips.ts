import { spawn } from 'node:child_process';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { TsnError } from '../../../src/errors/index.js';
import { clipArgs, type ClipPattern } from './ffmpeg-args.js';

export interface GenerateClipOptions {
  readonly ffmpegPath: string;
  readonly out: string;
  readonly width: number;
  readonly height: number;
  readonly fps: number;
  readonly seconds: number;
  readonly pattern: ClipPattern;
}

/** Renders a synthetic test clip with ffmpeg's lavfi sources; writes to a temp name, then renames. */
export async function generateClip(opts: GenerateClipOptions): Promise<string> {
  await mkdir(dirname(opts.out), { recursive: true });
  const partial = `${opts.out}.partial-${process.pid}.mp4`;
  const args = clipArgs({ ...opts, out: partial });
  const { code, stderr } = await run(opts.ffmpegPath, args);
  if (code !== 0) {
    await rm(partial, { force: true });
    throw new TsnError(
      'E_SIM_CLIP',
      `ffmpeg could not render the ${opts.pattern} clip ${opts.out}: ${stderr.trim().slice(-300)}`,
      {
        context: { out: opts.out, pattern: opts.pattern },
      },
    );
  }
  await rename(partial, opts.out);
  return opts.out;
}

function run(command: string, args: readonly string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    child.once('error', (error) => resolve({ code: -1, stderr: error.message }));
    child.once('close', (code) => resolve({ code, stderr }));
  });
}
