// Rendered RGB24 frames -> an H.264 file through ffmpeg's stdin (argv from a pure builder, no shell).
import { spawn } from 'node:child_process';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { once } from 'node:events';
import { TsnError } from '../../src/errors/index.js';

export interface EncodeArgsInput {
  readonly out: string;
  readonly width: number;
  readonly height: number;
  readonly fps: number;
}

/** Raw RGB24 on stdin -> H.264 (yuv420p, one keyframe a second) in an MP4 container at `out`. */
export function buildEncodeArgs(input: EncodeArgsInput): string[] {
  const gop = String(Math.max(1, Math.round(input.fps)));
  return [
    '-hide_banner',
    '-loglevel',
    'error',
    '-f',
    'rawvideo',
    '-pix_fmt',
    'rgb24',
    '-s',
    `${input.width}x${input.height}`,
    '-r',
    String(input.fps),
    '-i',
    'pipe:0',
    '-an',
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    '-crf',
    '20',
    '-g',
    gop,
    // No B-frames: the simulator passes H.264 through as it arrives, and the service's live decoder
    // (-flags low_delay) outputs frames in decode order, so B-frames put a moving figure's frames out of
    // order on the live action cameras (measured: walk read as wave/idle there, recognised from the file).
    '-bf',
    '0',
    '-pix_fmt',
    'yuv420p',
    '-movflags',
    '+faststart',
    '-f',
    'mp4',
    '-y',
    input.out,
  ];
}

export interface EncodeOptions extends EncodeArgsInput {
  readonly ffmpegPath: string;
  readonly frames: Iterable<Uint8Array>;
}

/**
 * Writes the frames to `out` (via a temporary name, so `out` is either complete or absent). Width and
 * height must be even (yuv420p). Errors: E_SIM_ARGS (odd size), E_SIM_CLIP (ffmpeg failed).
 */
export async function encodeFrames(options: EncodeOptions): Promise<string> {
  if (options.width % 2 !== 0 || options.height % 2 !== 0) {
    throw new TsnError('E_SIM_ARGS', `H.264 needs an even size, got ${options.width}x${options.height}`, {
      context: { width: options.width, height: options.height },
    });
  }
  await mkdir(dirname(options.out), { recursive: true });
  const partial = `${options.out}.partial-${process.pid}.mp4`;
  const child = spawn(options.ffmpegPath, buildEncodeArgs({ ...options, out: partial }), {
    stdio: ['pipe', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text: string) => void (stderr = (stderr + text).slice(-2000)));
  const closed = new Promise<number | null>((resolve) => {
    child.once('error', (error) => {
      stderr += error.message;
      resolve(-1);
    });
    child.once('close', (code) => resolve(code));
  });
  // ffmpeg gone early (bad path, crash): stop writing, report its stderr below.
  child.stdin.on('error', () => undefined);
  try {
    for (const frame of options.frames) {
      if (child.stdin.destroyed) break;
      if (!child.stdin.write(frame)) await Promise.race([once(child.stdin, 'drain'), closed]);
    }
    child.stdin.end();
  } catch (error) {
    child.kill('SIGKILL');
    await closed;
    await rm(partial, { force: true });
    throw error;
  }
  const code = await closed;
  if (code !== 0) {
    await rm(partial, { force: true });
    throw new TsnError('E_SIM_CLIP', `ffmpeg could not encode ${options.out}: ${stderr.trim().slice(-300)}`, {
      context: { out: options.out, code },
    });
  }
  await rename(partial, options.out);
  return options.out;
}
