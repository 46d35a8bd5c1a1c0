import { spawnSync } from 'node:child_process';
import { ffmpeg51, parseFfmpegCapabilities, type FfmpegCapabilities } from './ffmpeg-capabilities.js';

/** Asks the binary once (`ffmpeg -version`); falls back to ffmpeg 5.1 option names if it cannot tell. */
export function probeFfmpegCapabilities(ffmpegPath: string): FfmpegCapabilities {
  const result = spawnSync(ffmpegPath, ['-hide_banner', '-version'], { encoding: 'utf8', timeout: 10_000 });
  if (result.error !== undefined || typeof result.stdout !== 'string') return ffmpeg51;
  return parseFfmpegCapabilities(result.stdout) ?? ffmpeg51;
}
