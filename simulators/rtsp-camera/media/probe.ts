import { spawn } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import { TsnError } from '../../../src/errors/index.js';
import { parseProbeOutput, probeArgs, type ProbedVideo } from './ffmpeg-args.js';

const probeTimeoutMs = 20_000;

/** Size and frame rate of a file's first video stream, read from `ffmpeg -i` (ffprobe may not be installed). */
export async function probeVideo(ffmpegPath: string, file: string): Promise<ProbedVideo> {
  try {
    await access(file, constants.R_OK);
  } catch (error) {
    throw new TsnError('E_SIM_FILE', `cannot read camera file ${file}; check the path`, {
      cause: error,
      context: { file },
    });
  }
  const stderr = await runForStderr(ffmpegPath, probeArgs(file));
  const video = parseProbeOutput(stderr);
  if (video === undefined) {
    throw new TsnError('E_SIM_FILE', `${file} has no video stream ffmpeg can read; give a video file`, {
      context: { file, ffmpeg: stderr.slice(-500) },
    });
  }
  return video;
}

function runForStderr(ffmpegPath: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(ffmpegPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), probeTimeoutMs);
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(
        new TsnError(
          'E_SIM_FFMPEG',
          `cannot run ffmpeg at ${ffmpegPath}; install ffmpeg or set FFMPEG_PATH`,
          { cause: error },
        ),
      );
    });
    child.once('close', () => {
      clearTimeout(timer);
      resolve(stderr);
    });
  });
}
