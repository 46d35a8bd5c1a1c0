import type { Model } from '../../model/types.js';
import type { Backend } from '../backend.js';
import { createBackend } from '../create-backend.js';
import { decodeForModel, predictClip } from '../predict-video.js';
import type { CropMode } from '../preprocess/index.js';
import { compareLogits, topK, type Agreement } from './agreement.js';

export interface AgreementCheckInput {
  readonly fp32: Model;
  readonly int8: Model;
  readonly videos: readonly string[];
  readonly ffmpegPath: string;
  readonly numSeg?: number;
  readonly crop: CropMode;
  readonly threads: number;
  readonly onClip?: (done: number, total: number) => void;
  readonly signal?: AbortSignal;
}

export interface AgreementCheck extends Agreement {
  /** RMS over clips of the change int8 makes to float32's top-1 minus top-2 logit, in logits. */
  readonly marginNoise: number;
  /** Clips whose float32 top-1/top-2 margin is below marginNoise: near-ties int8 noise can flip. */
  readonly nearTies: number;
}

/**
 * Whole-clip logits of the float32 model and its int8 copy on the same clips (decoded once, same
 * preprocessing as predict): how often the top-1 agrees, and how close the clips' decisions are to
 * the int8 noise. A clip whose top-1/top-2 margin is smaller than that noise may flip on any footage.
 */
export async function checkAgreement(input: AgreementCheckInput): Promise<AgreementCheck> {
  const options = { backend: 'onnx', executionProviders: ['cpu'], threads: input.threads } as const;
  const backends: Backend[] = [];
  try {
    // One at a time, so the first is closed even when the second fails to open.
    backends.push(await createBackend(input.fp32, options));
    backends.push(await createBackend(input.int8, options));
    const [fp32, int8] = backends as [Backend, Backend];
    const reference: number[][] = [];
    const candidate: number[][] = [];
    for (const [i, videoPath] of input.videos.entries()) {
      input.signal?.throwIfAborted();
      const clip = await decodeForModel({
        videoPath,
        model: input.fp32,
        ffmpegPath: input.ffmpegPath,
        ...(input.numSeg === undefined ? {} : { numSeg: input.numSeg }),
      });
      const run = async (backend: Backend): Promise<number[]> =>
        (await predictClip({ videoPath, model: input.fp32, backend, clip, crop: input.crop, topK: 1 }))
          .logits;
      reference.push(await run(fp32));
      candidate.push(await run(int8));
      input.onClip?.(i + 1, input.videos.length);
    }
    return { ...compareLogits(reference, candidate), ...marginStats(reference, candidate) };
  } finally {
    await Promise.all(backends.map((b) => b.close()));
  }
}

/** marginNoise and nearTies of AgreementCheck (exported for tests). */
export function marginStats(
  reference: readonly ArrayLike<number>[],
  candidate: readonly ArrayLike<number>[],
): { marginNoise: number; nearTies: number } {
  const margins = reference.map((ref, c) => {
    const [first = 0, second = first] = topK(ref, 2);
    const cand = candidate[c] ?? [];
    const margin = (ref[first] ?? 0) - (ref[second] ?? 0);
    return { margin, change: (cand[first] ?? 0) - (cand[second] ?? 0) - margin };
  });
  const squares = margins.reduce((s, m) => s + m.change * m.change, 0);
  const marginNoise = Math.sqrt(squares / Math.max(1, margins.length));
  return { marginNoise, nearTies: margins.filter((m) => m.margin < marginNoise).length };
}
