// Benchmark input clips, rendered once with the simulator's generateClip and kept in a cache directory.
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { generateClip } from '../../simulators/rtsp-camera/index.js';

export type Resolution = '360p' | '1080p';

export const resolutionSizes: Readonly<Record<Resolution, { width: number; height: number }>> = {
  '360p': { width: 640, height: 360 },
  '1080p': { width: 1920, height: 1080 },
};

const CLIP_SECONDS = 15;
const CLIP_FPS = 25;

export async function ensureClip(
  resolution: Resolution,
  ffmpegPath: string,
  cacheDir: string,
): Promise<string> {
  const { width, height } = resolutionSizes[resolution];
  const out = join(cacheDir, `testsrc2-${width}x${height}-${CLIP_FPS}fps-${CLIP_SECONDS}s.mp4`);
  try {
    await access(out);
    return out;
  } catch {
    console.error(`rendering ${out} (once; later runs reuse it) ...`);
    return generateClip({
      ffmpegPath,
      out,
      width,
      height,
      fps: CLIP_FPS,
      seconds: CLIP_SECONDS,
      pattern: 'testsrc2',
    });
  }
}
