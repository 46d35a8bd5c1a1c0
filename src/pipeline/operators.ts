// Thin RxJS shells around the pure processors. A processor that throws must not end the stream nor reach
// rxjs's reportUnhandledError (which rethrows from a timer and kills the process): like rxjs's own
// OperatorSubscriber, every callback is guarded; unlike it, the failure goes to `onError` and the stream
// goes on with the next value (one bad frame must not stop a camera). Without `onError` the stream errors.
import { Observable, Subscriber, type Observer, type OperatorFunction, type Subscription } from 'rxjs';
import type { Frame } from '../domain/index.js';
import type { Segmenter, SegmenterOutput } from './segmenter.js';

/** Receives what a guarded callback threw. */
export type OnCallbackError = (error: unknown) => void;

/**
 * frames -> segmenter outputs (only non-empty ones). When the frame stream ends (complete or error), the
 * open segment is flushed first, so the last window is not lost.
 */
export function segmentFrames(
  segmenter: Segmenter,
  onError?: OnCallbackError,
): OperatorFunction<Frame, SegmenterOutput> {
  return (frames$) =>
    new Observable<SegmenterOutput>((subscriber) => {
      const guard = guardFor(subscriber, onError);
      const emit = (out: SegmenterOutput): void => {
        if (out.segments.length + out.windows.length + out.breaks.length > 0) subscriber.next(out);
      };
      return frames$.subscribe({
        next: (frame) => guard(() => emit(segmenter.push(frame))),
        error: (error: unknown) => {
          guard(() => emit(segmenter.flush()));
          subscriber.error(error);
        },
        complete: () => {
          guard(() => emit(segmenter.flush()));
          subscriber.complete();
        },
      });
    });
}

function guardFor(subscriber: Subscriber<unknown>, onError: OnCallbackError | undefined) {
  return (run: () => void): void => {
    try {
      run();
    } catch (error) {
      if (onError === undefined) subscriber.error(error);
      else onError(error);
    }
  };
}

/**
 * A hot stream whose direct subscribers are isolated: a callback that throws is passed to `onError`
 * (instead of rxjs's reportUnhandledError) and the other subscribers, and later values, still arrive.
 * Operator chains (pipe) subscribe with a Subscriber, which rxjs already guards, and pass through as is.
 */
export function isolateSubscribers<T>(source$: Observable<T>, onError: OnCallbackError): Observable<T> {
  return new IsolatedObservable(source$, onError);
}

class IsolatedObservable<T> extends Observable<T> {
  constructor(
    private readonly source$: Observable<T>,
    private readonly onError: OnCallbackError,
  ) {
    super();
  }

  override subscribe(
    observerOrNext?: Partial<Observer<T>> | ((value: T) => void) | null,
    error?: ((error: unknown) => void) | null,
    complete?: (() => void) | null,
  ): Subscription {
    if (observerOrNext instanceof Subscriber) return this.source$.subscribe(observerOrNext);
    const observer: Partial<Observer<T>> =
      typeof observerOrNext === 'function' || observerOrNext == null
        ? {
            ...(observerOrNext == null ? {} : { next: observerOrNext }),
            ...(error == null ? {} : { error }),
            ...(complete == null ? {} : { complete }),
          }
        : observerOrNext;
    const guard = <A extends unknown[]>(fn: ((...args: A) => void) | undefined) =>
      fn === undefined
        ? undefined
        : (...args: A): void => {
            try {
              fn.apply(observer, args);
            } catch (thrown) {
              this.onError(thrown);
            }
          };
    const next = guard(observer.next);
    const onErr = guard(observer.error);
    const onComplete = guard(observer.complete);
    return this.source$.subscribe({
      ...(next === undefined ? {} : { next }),
      ...(onErr === undefined ? {} : { error: onErr }),
      ...(onComplete === undefined ? {} : { complete: onComplete }),
    });
  }
}
