// The FP32-vs-INT8 agreement checks' common step: every clip decoded once, then through both backends.
import type { Backend } from '../../../src/inference/backend.js';
import { decodeForModel, predictClip } from '../../../src/inference/predict-video.js';
import type { Model } from '../../../src/model/types.js';

export async function logitsThroughBoth(
  model: Model,
  backends: readonly [Backend, Backend],
  videoPaths: readonly string[],
  ffmpegPath: string,
): Promise<[number[][], number[][]]> {
  const logits: [number[][], number[][]] = [[], []];
  for (const videoPath of videoPaths) {
    const clip = await decodeForModel({ videoPath, model, ffmpegPath });
    for (const [k, backend] of backends.entries()) {
      const p = await predictClip({ videoPath, model, backend, clip, crop: 'center', topK: 5 });
      logits[k]?.push(p.logits);
    }
  }
  return logits;
}
