// Thin RxJS shells around the pure processors.
import { Observable, type OperatorFunction } from 'rxjs';
import type { Frame } from '../domain/index.js';
import type { Segmenter, SegmenterOutput } from './segmenter.js';

/**
 * frames -> segmenter outputs (only non-empty ones). When the frame stream ends (complete or error), the
 * open segment is flushed first, so the last window is not lost.
 */
export function segmentFrames(segmenter: Segmenter): OperatorFunction<Frame, SegmenterOutput> {
  return (frames$) =>
    new Observable<SegmenterOutput>((subscriber) => {
      const emit = (out: SegmenterOutput): void => {
        if (out.segments.length + out.windows.length + out.breaks.length > 0) subscriber.next(out);
      };
      return frames$.subscribe({
        next: (frame) => emit(segmenter.push(frame)),
        error: (error: unknown) => {
          emit(segmenter.flush());
          subscriber.error(error);
        },
        complete: () => {
          emit(segmenter.flush());
          subscriber.complete();
        },
      });
    });
}
