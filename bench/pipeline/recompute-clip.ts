// "No feature reuse", as other streaming systems run TSN: every window goes through the backbone whole
// (numSeg frames x views per prediction), then the same head. Built from the service's own embed and
// head hooks, so preprocessing and inference cost exactly what they cost in segment mode.
import { from, lastValueFrom } from 'rxjs';
import type { ClipFn, EmbedFn, HeadFn } from '../../src/pipeline/index.js';

export function recomputeClip(embed: EmbedFn, head: HeadFn): ClipFn {
  return async (frames, windows, numSeg, views) => {
    const features = await lastValueFrom(from(embed(frames, views)));
    return lastValueFrom(from(head(features, windows, numSeg * views)));
  };
}
