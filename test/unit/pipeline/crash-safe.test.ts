// Crash-safe streams (issue 11): a callback that throws reaches an error channel, the stream goes on, and
// nothing reaches rxjs's onUnhandledError (whose default rethrows from a timer and kills the process).
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { config as rxjsConfig, Subject, type Observable } from 'rxjs';
import type { Frame } from '../../../src/domain/index.js';
import { isolateSubscribers, segmentFrames } from '../../../src/pipeline/operators.js';
import {
  defaultCameraOptions,
  resolveCameraOptions,
  segmenterOptionsOf,
} from '../../../src/pipeline/options.js';
import { Segmenter, type SegmenterOutput } from '../../../src/pipeline/segmenter.js';
import { frames, testScheduler } from './fakes.js';
import { build, byCamera, live, type Run } from './harness.js';

let unhandled: unknown[] = [];
let previous: typeof rxjsConfig.onUnhandledError;
beforeEach(() => {
  unhandled = [];
  previous = rxjsConfig.onUnhandledError;
  rxjsConfig.onUnhandledError = (error) => unhandled.push(error);
});
afterEach(() => {
  rxjsConfig.onUnhandledError = previous;
});

const segmenterOptions = segmenterOptionsOf(
  resolveCameraOptions(defaultCameraOptions, { numSeg: 4, windowMs: 800 }),
);

/** A real segmenter whose push throws on the frame at badPtsMs. */
function throwingSegmenter(badPtsMs: number): Segmenter {
  const segmenter = new Segmenter('a', segmenterOptions);
  const push = segmenter.push.bind(segmenter);
  segmenter.push = (f: Frame) => {
    if (f.ptsMs === badPtsMs) throw new Error('segmenter bug');
    return push(f);
  };
  return segmenter;
}

function collect<T>(run: () => Observable<T>): { values: T[]; error: unknown; completed: boolean } {
  const out = { values: [] as T[], error: undefined as unknown, completed: false };
  testScheduler().run(() => {
    run().subscribe({
      next: (v) => out.values.push(v),
      error: (e: unknown) => (out.error = e),
      complete: () => (out.completed = true),
    });
  });
  return out;
}

describe('operator guards (virtual time)', () => {
  const input = frames('a', 0, 2400, 100);

  test('segmentFrames: a throwing push goes to onError; the other frames give what a sound segmenter gives', () => {
    const errors: unknown[] = [];
    const got = collect(() => live(input).pipe(segmentFrames(throwingSegmenter(700), (e) => errors.push(e))));
    const sound = collect(() =>
      live(input.filter((f) => f.ptsMs !== 700)).pipe(segmentFrames(new Segmenter('a', segmenterOptions))),
    );
    assert.deepEqual(
      errors.map((e) => (e as Error).message),
      ['segmenter bug'],
    );
    assert.ok(got.completed && got.error === undefined, 'the stream went on to its end');
    assert.ok(
      got.values.some((o: SegmenterOutput) => o.windows.length > 0),
      'windows after the throw',
    );
    assert.deepEqual(got.values, sound.values);
    assert.deepEqual(unhandled, []);
  });

  test('segmentFrames without onError: the throw errors the stream (as rxjs operators do), never unhandled', () => {
    const got = collect(() => live(input).pipe(segmentFrames(throwingSegmenter(700))));
    assert.equal((got.error as Error).message, 'segmenter bug');
    assert.deepEqual(unhandled, []);
  });

  test('isolateSubscribers: a throwing subscriber is reported; it and the others keep receiving', () => {
    const source = new Subject<number>();
    const errors: unknown[] = [];
    const isolated = isolateSubscribers(source.asObservable(), (e) => errors.push(e));
    const first: number[] = [];
    const second: number[] = [];
    isolated.subscribe((v) => {
      first.push(v);
      if (v === 2) throw new Error('subscriber bug');
    });
    isolated.subscribe({ next: (v) => second.push(v) });
    for (const v of [1, 2, 3]) source.next(v);
    assert.deepEqual(first, [1, 2, 3]);
    assert.deepEqual(second, [1, 2, 3]);
    assert.deepEqual(
      errors.map((e) => (e as Error).message),
      ['subscriber bug'],
    );
    assert.deepEqual(unhandled, []);
  });
});

describe('pipeline: throwing subscribers (virtual time)', () => {
  test('a throwing events$ and predictions$ subscriber: E_PIPELINE_SUBSCRIBER on errors$, others get everything', () => {
    const scheduler = testScheduler();
    let run: Run | undefined;
    let reference: Run | undefined;
    const options = {
      cameraDefaults: { numSeg: 4, windowMs: 800, detector: { onThreshold: 0.3, minWindowsOn: 1 } },
    };
    scheduler.run(() => {
      run = build(scheduler, options);
      run.pipeline.events$.subscribe(() => {
        throw new Error('event subscriber bug');
      });
      run.pipeline.predictions$.subscribe(() => {
        throw new Error('prediction subscriber bug');
      });
      run.pipeline.addCamera('a', live(frames('a', 0, 1600, 100)));
    });
    scheduler.run(() => {
      reference = build(testScheduler(), options);
      reference.pipeline.addCamera('a', live(frames('a', 0, 1600, 100)));
    });
    assert.ok(run && reference);
    const predictions = byCamera(run.predictions, 'a');
    assert.ok(predictions.length > 0 && run.events.length > 0);
    assert.equal(predictions.length, byCamera(reference.predictions, 'a').length);
    assert.deepEqual(
      run.events.map((e) => e.type),
      reference.events.map((e) => e.type),
    );
    const codes = run.errors.map((e) => e.code);
    assert.ok(codes.every((c) => c === 'E_PIPELINE_SUBSCRIBER'));
    assert.equal(codes.length, predictions.length + run.events.length);
    assert.deepEqual([...new Set(run.errors.map((e) => e.context.stream))].sort(), [
      'events$',
      'predictions$',
    ]);
    assert.deepEqual(unhandled, []);
  });
});
