// Decodes a clip once, keeping only the frames a caller picks once it knows the frame count: the train
// sampler's indices for every augmentation pass plus the test sampler's, so memory stays bounded by
// (passes + 1) x numSeg frames whatever the clip length.
import { resolve } from 'node:path';
import { TsnError } from '../errors/index.js';
import { buildDecodeArgs, buildPacketCountArgs, buildProbeArgs } from '../inference/decode-video-args.js';
import { runFfmpeg, type FfmpegExit } from '../inference/ffmpeg-run.js';
import { FramePicker, scaledSize, type RgbImage, type Size } from '../inference/preprocess/index.js';

export interface PickedFrames {
  readonly frameCount: number;
  readonly size: Size;
  /** The picked frames, by index, at `size` (the short side scaled as the model wants). */
  readonly frames: ReadonlyMap<number, RgbImage>;
}

export async function decodePickedFrames(
  videoPath: string,
  ffmpegPath: string,
  shortSide: number,
  pick: (frameCount: number) => readonly number[],
  signal?: AbortSignal,
): Promise<PickedFrames> {
  const path = resolve(videoPath);
  const run = async (args: string[], onStdout: (chunk: Buffer) => void): Promise<void> =>
    check(path, await runFfmpeg(ffmpegPath, args, onStdout, signal));
  let progress = '';
  await run(
    buildPacketCountArgs(path),
    (c) => void (progress = (progress + c.toString('latin1')).slice(-2048)),
  );
  let assumed = Number([...progress.matchAll(/^frame=(\d+)$/gm)].at(-1)?.[1] ?? 0);
  const head: Buffer[] = [];
  await run(buildProbeArgs(path), (c) => void (head.length < 4 && head.push(c)));
  const m = /^P6\s+(\d+)\s+(\d+)\s/.exec(Buffer.concat(head).subarray(0, 64).toString('latin1'));
  if (m === null)
    throw new TsnError('E_VIDEO_EMPTY', `${path} yields no decodable frame: pass a video with frames`, {
      context: { videoPath: path },
    });
  const source = { width: Number(m[1]), height: Number(m[2]) };
  const size = scaledSize(source.width, source.height, shortSide);
  const args = buildDecodeArgs({ videoPath: path, source, target: size });
  for (let pass = 0; pass < 2; pass++) {
    const wanted = pick(assumed);
    const picker = new FramePicker(size.width * size.height * 3, wanted);
    await run(args, (c) => picker.push(c));
    if (picker.frameCount === 0)
      throw new TsnError('E_VIDEO_EMPTY', `${path} yields zero frames`, { context: { videoPath: path } });
    if (picker.frameCount === assumed) {
      const frames = new Map<number, RgbImage>();
      for (const [i, rgb] of picker.kept) frames.set(i, { ...size, rgb });
      return { frameCount: assumed, size, frames };
    }
    assumed = picker.frameCount;
  }
  throw new TsnError('E_VIDEO_DECODE', `two decodes of ${path} gave different frame counts`, {
    context: { videoPath: path },
  });
}

function check(videoPath: string, exit: FfmpegExit): void {
  if (exit.code === 0) return;
  const detail = exit.stderr.trim().split('\n').slice(-2).join(' | ');
  throw new TsnError(
    'E_VIDEO_DECODE',
    `ffmpeg cannot decode ${videoPath}: ${detail}. Check that the file is a complete, supported video`,
    {
      context: { videoPath, exitCode: exit.code, stderr: exit.stderr },
    },
  );
}
