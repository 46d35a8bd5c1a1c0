// Training clips for the demo model cut the way the service sees a live action camera: each clip is one
// recognition window taken at a random place of a short stretch of a live schedule (idle, an action of
// 6-9 s, idle), rendered by the same renderer at the live cameras' size and rate. So the model learns
// every phase of an action (a fall's lying still, not only its first second), the walk wherever the
// figure has got to, and the edges of actions; single clips that always start at an action's first frame
// recognised too few live windows.
import { gaussianSource } from '../../src/inference/resnet/random-weights.js';
import { ACTION_LABELS, renderActionVideo, type ActionSegment } from './render.js';
import { renderLabelledClips, type RenderedClip } from './dataset.js';

export interface WindowDatasetOptions {
  readonly dir: string;
  readonly ffmpegPath: string;
  readonly clipsPerLabel: number;
  readonly seed: number;
  /** One recognition window (configs/default.yaml defaults.windowMs). */
  readonly windowMs: number;
  readonly width: number;
  readonly height: number;
  readonly fps: number;
  /** Labels to render: actions and 'idle'. */
  readonly labels: readonly string[];
  /** The most of a window that may show a neighbouring part (the rest shows the clip's label). */
  readonly maxNeighbourMs: number;
}

/** Segments of the stretch and the window's start in it, for one clip of `label`. */
export function windowPlan(
  label: string,
  random: () => number,
  options: Pick<WindowDatasetOptions, 'windowMs' | 'maxNeighbourMs'>,
): { segments: ActionSegment[]; startMs: number } {
  const between = (lo: number, hi: number): number => lo + (hi - lo) * random();
  const pick = (from: readonly string[]): string => from[Math.floor(random() * from.length)] as string;
  const w = options.windowMs;
  const edge = options.maxNeighbourMs;
  if (label === 'idle') {
    // After an action: the gap (4-7 s live), the window starting at most `edge` before the gap.
    const before = { label: pick(ACTION_LABELS), durationMs: Math.round(between(6000, 9000)) };
    const gap = Math.round(between(4000, 7000));
    const startMs = Math.round(between(before.durationMs - edge, before.durationMs + gap - w));
    return { segments: [before, { label: 'idle', durationMs: gap + w }], startMs };
  }
  const leadMs = Math.round(between(w, 7000));
  const actionMs = Math.round(between(6000, 9000));
  const startMs = Math.round(between(leadMs - edge, leadMs + actionMs - w + edge));
  return {
    segments: [
      { label: 'idle', durationMs: leadMs },
      { label, durationMs: actionMs },
      { label: 'idle', durationMs: w },
    ],
    startMs,
  };
}

export async function renderWindowDataset(options: WindowDatasetOptions): Promise<RenderedClip[]> {
  return renderLabelledClips(options, (label, seed) => {
    const rng = gaussianSource(seed ^ 0x51d3_77a1);
    const { segments, startMs } = windowPlan(label, () => rng.uniform(), options);
    const first = Math.round((startMs * options.fps) / 1000);
    const count = Math.round((options.windowMs * options.fps) / 1000);
    const video = renderActionVideo({
      seed,
      width: options.width,
      height: options.height,
      fps: options.fps,
      segments,
    });
    return slice(video, first, count);
  });
}

function* slice<T>(items: Iterable<T>, first: number, count: number): Generator<T> {
  let i = 0;
  for (const item of items) {
    if (i >= first + count) return;
    if (i >= first) yield item;
    i++;
  }
}
