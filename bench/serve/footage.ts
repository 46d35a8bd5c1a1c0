// Real footage at real bitrates for the serve benchmark: PaddleVideo's archery clip (example.avi,
// 320x240) upscaled and looped to 360p at ~0.8 Mbit/s or 1080p at ~4 Mbit/s, H.264 without B-frames and
// one IDR per second exactly, as a camera encodes (so the simulator passes it through instead of
// re-encoding). Rendered once into the cache directory.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

export type FootageResolution = '360p' | '1080p';

/** One IDR per second (`-g 25` at 25 fps): what a camera in `decode: keyframes` waits between pictures. */
export const footageKeyframeIntervalMs = 1000;
const gopFrames = (25 * footageKeyframeIntervalMs) / 1000;

const settings: Record<FootageResolution, { width: number; height: number; kbps: number }> = {
  '360p': { width: 640, height: 360, kbps: 800 },
  '1080p': { width: 1920, height: 1080, kbps: 4000 },
};

export function ensureFootage(
  ffmpeg: string,
  source: string,
  cacheDir: string,
  r: FootageResolution,
): string {
  const { width, height, kbps } = settings[r];
  const out = join(cacheDir, `archery-${width}x${height}-${kbps}k-gop${gopFrames}.mp4`);
  if (existsSync(out)) return out;
  mkdirSync(cacheDir, { recursive: true });
  console.error(`rendering ${out} (once) ...`);
  const vf = `scale=${width}:${height}:force_original_aspect_ratio=increase,crop=${width}:${height},fps=25`;
  const rate = [`-b:v`, `${kbps}k`, '-maxrate', `${kbps}k`, '-bufsize', `${2 * kbps}k`];
  const args = ['-v', 'error', '-y', '-stream_loop', '3', '-i', source, '-vf', vf, '-an', '-c:v', 'libx264'];
  const encode = [
    ...args,
    '-preset',
    'veryfast',
    ...rate,
    // Like a camera: a keyframe every gopFrames and nowhere else (x264 would add one at each scene
    // cut, and the 4 loops of the 5.24 s clip are cuts), whole GOPs only, so a simulator looping the
    // file keeps the rhythm across its loop point too.
    ...['-g', String(gopFrames), '-keyint_min', String(gopFrames), '-sc_threshold', '0'],
    ...['-frames:v', String(Math.floor((4 * 5.24 * 25) / gopFrames) * gopFrames)],
    '-bf',
    '0',
    '-pix_fmt',
    'yuv420p',
    out,
  ];
  const r2 = spawnSync(ffmpeg, encode, { encoding: 'utf8' });
  if (r2.status !== 0) throw new Error(`rendering ${out} failed: ${r2.stderr}`);
  return out;
}
