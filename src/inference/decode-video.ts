import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { TsnError, isTsnError } from '../errors/index.js';
import { buildDecodeArgs, buildPacketCountArgs, buildProbeArgs } from './decode-video-args.js';
import { runFfmpeg, type FfmpegExit } from './ffmpeg-run.js';
import { FramePicker, sampleIndices, scaledSize, type RgbImage, type Size } from './preprocess/index.js';

export interface DecodeVideoOptions {
  readonly videoPath: string;
  readonly ffmpegPath: string;
  readonly numSeg: number;
  /** Short side the frames are scaled to (PaddleVideo: 256). */
  readonly shortSide?: number;
  readonly signal?: AbortSignal;
}

export interface DecodedClip {
  /** Every frame ffmpeg decodes from the first video stream (the L of the sampler). */
  readonly frameCount: number;
  /** Sampled frame indices, one per segment. */
  readonly indices: readonly number[];
  /** Decoded size, and the size after the short-side scale. */
  readonly sourceSize: Size;
  readonly size: Size;
  /** One RGB24 frame per index, at `size` (repeated indices share a buffer). */
  readonly frames: readonly RgbImage[];
}

/**
 * Decodes a whole file once (twice only when the demuxer's packet count turns out not to be the decoded
 * frame count), keeping in memory only the numSeg sampled frames.
 */
export async function decodeSampledFrames(options: DecodeVideoOptions): Promise<DecodedClip> {
  const videoPath = resolve(options.videoPath);
  await assertReadableFile(videoPath);
  const run = (args: string[], onStdout: (chunk: Buffer) => void): Promise<FfmpegExit> =>
    runFfmpeg(options.ffmpegPath, args, onStdout, options.signal);

  const packetCount = await countPackets(videoPath, run);
  const sourceSize = await probeSize(videoPath, run).catch((error: unknown) => {
    // A stream without a single packet fails to decode too; "empty" says more than "undecodable".
    if (packetCount === 0 && isTsnError(error, 'E_VIDEO_DECODE')) {
      throw emptyVideo(videoPath, 'its video stream has no packets');
    }
    throw error;
  });
  const size = scaledSize(sourceSize.width, sourceSize.height, options.shortSide ?? 256);
  const args = buildDecodeArgs({ videoPath, source: sourceSize, target: size });
  const frameBytes = size.width * size.height * 3;

  let assumedCount = packetCount ?? 0;
  for (let pass = 0; pass < 2; pass++) {
    const indices = sampleIndices(assumedCount, options.numSeg);
    const picker = new FramePicker(frameBytes, indices);
    checkExit(videoPath, await run(args, (chunk) => picker.push(chunk)));
    if (picker.trailingBytes !== 0) {
      throw new TsnError('E_VIDEO_DECODE', `ffmpeg's output for ${videoPath} ends inside a frame`, {
        context: { videoPath, frameBytes, trailingBytes: picker.trailingBytes },
      });
    }
    if (picker.frameCount === 0) throw emptyVideo(videoPath, 'ffmpeg decoded no frame from it');
    if (picker.frameCount === assumedCount) {
      const frames = indices.map((i) => ({ ...size, rgb: picker.kept.get(i) as Uint8Array }));
      return { frameCount: picker.frameCount, indices, sourceSize, size, frames };
    }
    assumedCount = picker.frameCount;
  }
  throw new TsnError('E_VIDEO_DECODE', `two decodes of ${videoPath} gave different frame counts`, {
    context: { videoPath },
  });
}

async function assertReadableFile(videoPath: string): Promise<void> {
  const info = await stat(videoPath).catch((error: unknown) => {
    throw new TsnError('E_VIDEO_OPEN', `cannot open video ${videoPath}: check the path`, {
      cause: error,
      context: { videoPath },
    });
  });
  if (!info.isFile()) {
    throw new TsnError('E_VIDEO_OPEN', `${videoPath} is not a regular file: pass a video file`, {
      context: { videoPath },
    });
  }
}

type Run = (args: string[], onStdout: (chunk: Buffer) => void) => Promise<FfmpegExit>;

/** The demuxer's packet count, or undefined when ffmpeg does not report one. */
async function countPackets(videoPath: string, run: Run): Promise<number | undefined> {
  let progress = '';
  checkExit(
    videoPath,
    await run(buildPacketCountArgs(videoPath), (chunk) => {
      progress = (progress + chunk.toString('latin1')).slice(-2048);
    }),
  );
  const counts = [...progress.matchAll(/^frame=(\d+)$/gm)];
  const last = counts.at(-1)?.[1];
  return last === undefined ? undefined : Number(last);
}

async function probeSize(videoPath: string, run: Run): Promise<Size> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  checkExit(
    videoPath,
    await run(buildProbeArgs(videoPath), (chunk) => {
      // The header sits in the first bytes; the pixels are not needed.
      if (bytes < 64) chunks.push(chunk);
      bytes += chunk.length;
    }),
  );
  if (bytes === 0) throw emptyVideo(videoPath, 'ffmpeg decoded no frame from it');
  const header = /^P6\s+(\d+)\s+(\d+)\s/.exec(Buffer.concat(chunks).subarray(0, 64).toString('latin1'));
  if (header === null) {
    throw new TsnError('E_VIDEO_DECODE', `could not read the frame size of ${videoPath} from ffmpeg`, {
      context: { videoPath },
    });
  }
  return { width: Number(header[1]), height: Number(header[2]) };
}

function checkExit(videoPath: string, exit: FfmpegExit): void {
  if (exit.code === 0) return;
  const detail = exit.stderr.trim().split('\n').slice(-3).join(' | ');
  const context = { videoPath, exitCode: exit.code, signal: exit.signal, stderr: exit.stderr };
  if (/matches no streams/.test(exit.stderr)) {
    throw new TsnError('E_VIDEO_EMPTY', `${videoPath} has no video stream: pass a file with video`, {
      context,
    });
  }
  if (/No such file or directory|Permission denied/.test(exit.stderr)) {
    throw new TsnError('E_VIDEO_OPEN', `ffmpeg cannot open ${videoPath}: ${detail}`, { context });
  }
  throw new TsnError(
    'E_VIDEO_DECODE',
    `ffmpeg cannot decode ${videoPath} (exit ${exit.code ?? exit.signal}): ${detail}. Check that the file is a complete, supported video`,
    { context },
  );
}

function emptyVideo(videoPath: string, why: string): TsnError {
  return new TsnError('E_VIDEO_EMPTY', `${videoPath} yields zero frames (${why}): pass a video with frames`, {
    context: { videoPath },
  });
}
