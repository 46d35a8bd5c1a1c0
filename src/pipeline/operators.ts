// Thin RxJS shells around the pure processors.
import { Observable, type OperatorFunction } from 'rxjs';
import type { Frame, Prediction } from '../domain/index.js';
import type { Detector, DetectorOutput } from './detector.js';
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

/** predictions -> detector outputs, one per prediction. */
export function detectActions(detector: Detector): OperatorFunction<Prediction, DetectorOutput> {
  return (predictions$) =>
    new Observable<DetectorOutput>((subscriber) =>
      predictions$.subscribe({
        next: (prediction) => subscriber.next(detector.push(prediction)),
        error: (error: unknown) => subscriber.error(error),
        complete: () => subscriber.complete(),
      }),
    );
}
