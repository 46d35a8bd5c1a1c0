import { spawnSync } from 'node:child_process';

/** The first line of `ffmpeg -version` (which build ran), for the benches' JSON. */
export function ffmpegVersionLine(ffmpegPath: string): string {
  return spawnSync(ffmpegPath, ['-version'], { encoding: 'utf8' }).stdout?.split('\n')[0] ?? 'unknown';
}
