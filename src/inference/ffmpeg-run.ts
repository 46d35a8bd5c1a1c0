import { spawn } from 'node:child_process';
import { TsnError } from '../errors/index.js';

export interface FfmpegExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** The last few kilobytes of stderr (ffmpeg's own explanation of a failure). */
  readonly stderr: string;
}

const STDERR_KEEP_CHARS = 4096;

/**
 * Runs ffmpeg to completion, handing stdout chunks to onStdout. If onStdout throws or the signal aborts,
 * ffmpeg is killed and the promise settles only after the process has exited, so nothing is left behind.
 */
export function runFfmpeg(
  ffmpegPath: string,
  args: readonly string[],
  onStdout: (chunk: Buffer) => void,
  signal?: AbortSignal,
): Promise<FfmpegExit> {
  return new Promise((resolvePromise, rejectPromise) => {
    let failure: unknown;
    let stderr = '';
    const child = spawn(ffmpegPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const fail = (error: unknown): void => {
      failure ??= error;
      child.kill('SIGKILL');
    };
    const onAbort = (): void => fail(signal?.reason ?? new Error('aborted'));
    if (signal?.aborted === true) onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });

    child.stdout.on('data', (chunk: Buffer) => {
      if (failure !== undefined) return;
      try {
        onStdout(chunk);
      } catch (error) {
        fail(error);
      }
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text: string) => {
      stderr = (stderr + text).slice(-STDERR_KEEP_CHARS);
    });
    child.on('error', (error: NodeJS.ErrnoException) => {
      failure ??= spawnFailure(ffmpegPath, error);
    });
    child.on('close', (code, exitSignal) => {
      signal?.removeEventListener('abort', onAbort);
      if (failure !== undefined) rejectPromise(failure);
      else resolvePromise({ code, signal: exitSignal, stderr });
    });
  });
}

function spawnFailure(ffmpegPath: string, error: NodeJS.ErrnoException): TsnError {
  if (error.code === 'ENOENT' || error.code === 'EACCES') {
    return new TsnError(
      'E_FFMPEG_MISSING',
      `cannot run ffmpeg at "${ffmpegPath}" (${error.code}): install ffmpeg (apt-get install ffmpeg) or set FFMPEG_PATH`,
      { cause: error, context: { ffmpegPath } },
    );
  }
  return new TsnError('E_VIDEO_DECODE', `ffmpeg at "${ffmpegPath}" failed to start: ${error.message}`, {
    cause: error,
    context: { ffmpegPath },
  });
}
