import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Prediction } from '../../../src/domain/index.js';
import { isTsnError } from '../../../src/errors/index.js';
import { assertClose, expectedLogits, frames, testScheduler } from './fakes.js';
import { build, byCamera, live, pixelsOf, type Run } from './harness.js';

describe('createRecognitionPipeline, segment mode (virtual time)', () => {
  test('two cameras: every window is fc(mean) of its frames and each frame is embedded once', () => {
    const scheduler = testScheduler();
    let run: Run | undefined;
    scheduler.run(() => {
      run = build(scheduler);
      // 5 fps: one frame at the start of each 200 ms segment, pixel = pts % 251.
      run.pipeline.addCamera('a', live(frames('a', 0, 2000, 200)));
      run.pipeline.addCamera('b', live(frames('b', 0, 2000, 200), 3));
    });
    assert.ok(run);
    for (const camera of ['a', 'b']) {
      const ps = byCamera(run.predictions, camera);
      assert.equal(ps.length, 7, `camera ${camera}: 10 segments -> 7 windows`);
      assert.deepEqual(
        ps.map((p) => p.segmentIndices[0]),
        [0, 1, 2, 3, 4, 5, 6],
      );
      for (const p of ps) assertClose(p.logits, expectedLogits(pixelsOf(p)));
    }
    const keys = run.embedded.map((s) => `${s.cameraId}:${s.segmentIndex}`);
    assert.equal(new Set(keys).size, keys.length, 'no segment frame went through the backbone twice');
    assert.equal(keys.length, 20);
    const m = run.pipeline.metrics();
    assert.equal(m.cameras.a?.framesIn, 10);
    assert.equal(m.cameras.a?.segments, 10);
    assert.equal(m.cameras.b?.predictions, 7);
    assert.ok(m.batches >= 5 && m.batchItems === 20);
    const samples = run.pipeline.drainSamples();
    assert.equal(samples.latencyMs.length, 14);
    assert.ok(samples.latencyMs.every((ms) => ms >= 0));
    assert.equal(run.pipeline.drainSamples().latencyMs.length, 0, 'samples are drained');
  });

  test('clip mode gives the same logits as segment mode for the same frames', () => {
    const results: Prediction[][] = [];
    for (const mode of ['segment', 'clip'] as const) {
      for (const views of [1, 10] as const) {
        const scheduler = testScheduler();
        scheduler.run(() => {
          const run = build(scheduler, { mode, cameraDefaults: { numSeg: 4, windowMs: 800, views } });
          run.pipeline.addCamera('a', live(frames('a', 0, 1800, 40)));
          run.pipeline.addCamera('b', live(frames('b', 0, 1800, 100), 7));
          results.push(run.predictions);
        });
      }
    }
    const [segment1, segment10, clip1, clip10] = results;
    for (const [s, c] of [
      [segment1, clip1],
      [segment10, clip10],
    ] as const) {
      assert.ok(s && c && s.length === 12 && c.length === 12);
      const key = (p: Prediction): string => `${p.cameraId}@${p.windowStartMs}`;
      const clipByKey = new Map(c.map((p) => [key(p), p]));
      for (const p of s) assertClose(p.logits, clipByKey.get(key(p))?.logits ?? [], 1e-4);
    }
  });

  test('removing a camera does not disturb another; its open episodes end with camera-removed', () => {
    const detector = { onThreshold: 0.3, offThreshold: 0.1, minWindowsOn: 1, smoothing: 1 };
    const alone = testScheduler();
    let reference: Prediction[] = [];
    alone.run(() => {
      const run = build(alone, { cameraDefaults: { numSeg: 4, windowMs: 800, detector } });
      run.pipeline.addCamera('a', live(frames('a', 0, 3000, 100)));
      reference = run.predictions;
    });
    const shared = testScheduler();
    let run: Run | undefined;
    shared.run(() => {
      run = build(shared, { cameraDefaults: { numSeg: 4, windowMs: 800, detector } });
      run.pipeline.addCamera('a', live(frames('a', 0, 3000, 100)));
      run.pipeline.addCamera('b', live(frames('b', 0, 3000, 50)));
      shared.schedule(() => run?.pipeline.removeCamera('b'), 1500);
    });
    assert.ok(run);
    const a = byCamera(run.predictions, 'a');
    assert.equal(a.length, reference.length);
    a.forEach((p, i) => assertClose(p.logits, reference[i]?.logits ?? []));
    assert.ok(byCamera(run.predictions, 'b').every((p) => p.windowEndMs <= 1500));
    const bEnded = run.events.filter((e) => e.camera === 'b' && e.type === 'action.ended');
    assert.ok(bEnded.length >= 1);
    assert.ok(bEnded.every((e) => e.endReason === 'camera-removed'));
    assert.deepEqual(run.pipeline.cameras(), ['a']);
    assert.equal(run.pipeline.metrics().cameras.b, undefined);
  });

  test('per-camera predictions switch; events still flow', () => {
    const scheduler = testScheduler();
    let run: Run | undefined;
    scheduler.run(() => {
      run = build(scheduler, {
        cameraDefaults: { numSeg: 4, windowMs: 800, detector: { onThreshold: 0.3, minWindowsOn: 1 } },
      });
      run.pipeline.addCamera('quiet', live(frames('quiet', 0, 1600, 100)), { emitPredictions: false });
      run.pipeline.addCamera('loud', live(frames('loud', 0, 1600, 100)));
    });
    assert.ok(run);
    assert.equal(byCamera(run.predictions, 'quiet').length, 0);
    assert.ok(byCamera(run.predictions, 'loud').length > 0);
    assert.ok(run.events.some((e) => e.camera === 'quiet' && e.type === 'action.started'));
    assert.equal(run.pipeline.metrics().cameras.quiet?.predictions, 5);
  });

  test('a slow backbone: the bounded queue drops oldest per camera; windows degrade instead of starving', () => {
    for (const lostSegments of ['substitute', 'abandon'] as const) {
      const scheduler = testScheduler();
      let run: Run | undefined;
      scheduler.run(() => {
        const batching = { maxBatch: 2, maxWaitMs: 0, maxQueue: 4, maxInFlight: 1 };
        run = build(scheduler, { batching, lostSegments }, { inferenceMs: 400 });
        run.pipeline.addCamera('a', live(frames('a', 0, 12_000, 200)));
        run.pipeline.addCamera('b', live(frames('b', 0, 12_000, 200)));
      });
      assert.ok(run);
      const m = run.pipeline.metrics();
      assert.ok((m.cameras.a?.queueDrops ?? 0) > 0 && (m.cameras.b?.queueDrops ?? 0) > 0);
      assert.equal(m.queueDepth, 0);
      assert.ok(m.heldFeatures <= 2 * 8, `held features stay bounded (${m.heldFeatures})`);
      if (lostSegments === 'substitute') {
        // Half of each camera's segments are dropped: every window still comes out, degraded.
        assert.equal(byCamera(run.predictions, 'a').length, 57);
        assert.ok(m.windowsDegraded > 0);
      } else {
        // Exact or nothing: with every other segment lost, no window is complete.
        assert.equal(run.predictions.length, 0);
        assert.ok(m.windowsAbandoned > 0);
      }
    }
  });

  test('close(): ends episodes with shutdown, completes the streams, leaves no timer; errors are coded', () => {
    const scheduler = testScheduler();
    let run: Run | undefined;
    let completed = false;
    scheduler.run(() => {
      run = build(scheduler, {
        cameraDefaults: { numSeg: 4, windowMs: 800, detector: { onThreshold: 0.3, minWindowsOn: 1 } },
      });
      run.pipeline.events$.subscribe({ complete: () => (completed = true) });
      run.pipeline.addCamera('a', live(frames('a', 0, 100_000, 100)));
      assert.throws(
        () => run?.pipeline.addCamera('a', live([])),
        (e) => isTsnError(e, 'E_PIPELINE_CAMERA_EXISTS'),
      );
      scheduler.schedule(() => run?.pipeline.close(), 2000);
    });
    assert.ok(run);
    assert.ok(completed);
    assert.equal(run.events.at(-1)?.endReason, 'shutdown');
    assert.equal(scheduler.actions.length, 0, 'no scheduled work left behind');
    assert.throws(
      () => run?.pipeline.addCamera('b', live([])),
      (e) => isTsnError(e, 'E_PIPELINE_CLOSED'),
    );
  });
});
