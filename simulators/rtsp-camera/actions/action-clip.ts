// A synthetic action camera's video: its seeded schedule rendered once into a cached H.264 file, which the
// simulator then loops like any other file.
import { randomUUID } from 'node:crypto';
import { rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ACTION_LABELS, liveActionVideo, renderActionVideo } from '../../actions/render.js';
import { encodeFrames } from '../../actions/encode.js';
import { actionSchedule, defaultScheduleTiming, type ActionSchedule } from './schedule.js';
import { pathExists } from '../../../src/model/path-exists.js';

export interface ActionClipOptions {
  readonly ffmpegPath: string;
  /** Where rendered clips are kept (created when missing). */
  readonly dir: string;
  readonly seed: number;
  readonly width?: number;
  readonly height?: number;
  readonly fps?: number;
  readonly minLoopMs?: number;
}

export interface ActionClip {
  readonly file: string;
  readonly schedule: ActionSchedule;
}

// Bumped when the renderer or the schedule rules change, so old cached clips are not served as new ones.
const RENDER_VERSION = 2; // 2: no B-frames (encode.ts)
export const actionClipDefaults = liveActionVideo;

/** The schedule and cache path of a seed, without rendering anything. */
export function planActionClip(options: Omit<ActionClipOptions, 'ffmpegPath'>): ActionClip {
  const width = options.width ?? actionClipDefaults.width;
  const height = options.height ?? actionClipDefaults.height;
  const fps = options.fps ?? actionClipDefaults.fps;
  const schedule = actionSchedule({
    seed: options.seed,
    labels: ACTION_LABELS,
    ...defaultScheduleTiming,
    minLoopMs: options.minLoopMs ?? defaultScheduleTiming.minLoopMs,
  });
  const name = `actions-v${RENDER_VERSION}-seed${options.seed}-${schedule.loopMs}ms-${width}x${height}-${fps}fps.mp4`;
  return { file: join(options.dir, name), schedule };
}

/**
 * Renders the seed's schedule (a figure acting in one seeded scene) unless the file is cached. Takes
 * roughly a tenth of the loop's length in CPU time at the default size; the encoder's back-pressure keeps
 * the event loop turning meanwhile.
 */
export async function ensureActionClip(options: ActionClipOptions): Promise<ActionClip> {
  const plan = planActionClip(options);
  if (await pathExists(plan.file)) return plan;
  const width = options.width ?? actionClipDefaults.width;
  const height = options.height ?? actionClipDefaults.height;
  const fps = options.fps ?? actionClipDefaults.fps;
  // A private temporary name: two cameras with the same seed may render at once.
  const partial = `${plan.file}.${randomUUID()}.mp4`;
  try {
    await encodeFrames({
      ffmpegPath: options.ffmpegPath,
      out: partial,
      width,
      height,
      fps,
      frames: renderActionVideo({ seed: options.seed, width, height, fps, segments: plan.schedule.segments }),
    });
    await rename(partial, plan.file);
  } finally {
    await rm(partial, { force: true });
  }
  return plan;
}
