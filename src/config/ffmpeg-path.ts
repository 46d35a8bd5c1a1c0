import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

export interface FfmpegLocation {
  readonly path: string;
  readonly origin: 'FFMPEG_PATH' | 'system' | '@ffmpeg-installer/ffmpeg';
}

/**
 * FFMPEG_PATH wins; then the system ffmpeg on PATH; then the static binary that
 * @ffmpeg-installer/ffmpeg ships inside its npm package. Called once at start by the composition root.
 */
export function locateFfmpeg(env: NodeJS.ProcessEnv = process.env): FfmpegLocation | undefined {
  const fromEnv = env.FFMPEG_PATH;
  if (fromEnv !== undefined && fromEnv !== '') return { path: fromEnv, origin: 'FFMPEG_PATH' };
  if (runs('ffmpeg')) return { path: 'ffmpeg', origin: 'system' };
  return bundledFfmpeg();
}

/** The static ffmpeg inside @ffmpeg-installer/ffmpeg, if it is installed for this platform and runs. */
export function bundledFfmpeg(): FfmpegLocation | undefined {
  try {
    const require = createRequire(import.meta.url);
    const installer = require('@ffmpeg-installer/ffmpeg') as { path: string };
    if (runs(installer.path)) return { path: installer.path, origin: '@ffmpeg-installer/ffmpeg' };
  } catch {
    // not installed for this platform
  }
  return undefined;
}

function runs(command: string): boolean {
  const r = spawnSync(command, ['-version'], { stdio: 'ignore', timeout: 10_000 });
  return r.error === undefined && r.status === 0;
}
