// `tsn simulate --render-actions DIR`: a labelled clip set, one sub-folder per action, ready for finetune.
import { join } from 'node:path';
import { ACTION_LABELS, renderActionVideo } from './render.js';
import { encodeFrames } from './encode.js';

export interface ActionDatasetOptions {
  readonly dir: string;
  readonly ffmpegPath: string;
  readonly clipsPerLabel: number;
  /** Clip seeds are a hash of (seed, running index): sets rendered with different seeds share no scene. */
  readonly seed: number;
  readonly seconds: number;
  readonly width: number;
  readonly height: number;
  readonly fps: number;
  readonly labels?: readonly string[];
  /** Called after each clip is written. */
  readonly onClip?: (info: { path: string; label: string; done: number; total: number }) => void;
}

export interface RenderedClip {
  readonly path: string;
  readonly label: string;
  readonly seed: number;
}

export async function renderActionDataset(options: ActionDatasetOptions): Promise<RenderedClip[]> {
  const labels = options.labels ?? ACTION_LABELS;
  return renderLabelledClips({ ...options, labels }, (label, seed) =>
    renderActionVideo({
      seed,
      width: options.width,
      height: options.height,
      fps: options.fps,
      segments: [{ label, durationMs: options.seconds * 1000 }],
    }),
  );
}

/** What every labelled clip set shares: where clips go, how they are seeded, their size and rate. */
export type LabelledClipSet = Omit<ActionDatasetOptions, 'seconds' | 'labels'> & {
  readonly labels: readonly string[];
};

/**
 * clipsPerLabel rounds over the labels, clip k of a label at DIR/LABEL/LABEL_000k.mp4, each clip's seed a
 * hash of (set seed, running index); `framesOf` renders one clip's frames from its label and seed.
 */
export async function renderLabelledClips(
  set: LabelledClipSet,
  framesOf: (label: string, seed: number) => Iterable<Uint8Array>,
): Promise<RenderedClip[]> {
  const total = set.labels.length * set.clipsPerLabel;
  const clips: RenderedClip[] = [];
  for (let k = 0; k < set.clipsPerLabel; k++) {
    for (const [li, label] of set.labels.entries()) {
      const seed = clipSeed(set.seed, k * set.labels.length + li);
      const path = join(set.dir, label, `${label}_${String(k + 1).padStart(4, '0')}.mp4`);
      await encodeFrames({
        ffmpegPath: set.ffmpegPath,
        out: path,
        width: set.width,
        height: set.height,
        fps: set.fps,
        frames: framesOf(label, seed),
      });
      clips.push({ path, label, seed });
      set.onClip?.({ path, label, done: clips.length, total });
    }
  }
  return clips;
}

/** A 32-bit mix of (seed, index) (murmur3's finaliser), so nearby seeds give unrelated scenes. */
export function clipSeed(seed: number, index: number): number {
  let h = (Math.imul(seed | 0, 0x9e3779b1) + Math.imul(index + 1, 0x85ebca6b)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
