import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { concat, throwError } from 'rxjs';
import type { SegmentFrame } from '../../../src/domain/index.js';
import { assertClose, expectedLogits, frame, frames, testScheduler } from './fakes.js';
import { build, byCamera, live, pixelsOf, type Run } from './harness.js';

describe('pipeline faults (virtual time)', () => {
  test('a failed backbone call is reported (E_PIPELINE_EMBED); its windows degrade, the rest stay exact', () => {
    const scheduler = testScheduler();
    let run: Run | undefined;
    scheduler.run(() => {
      const batching = { maxBatch: 1, maxWaitMs: 0, maxQueue: 32, maxInFlight: 1 };
      run = build(
        scheduler,
        { batching },
        {
          embed: (batch, _views, normal) =>
            batch.some((s) => s.segmentIndex === 5) ? throwError(() => new Error('device lost')) : normal(),
        },
      );
      run.pipeline.addCamera('a', live(frames('a', 0, 3000, 200)));
    });
    assert.ok(run);
    assert.deepEqual(
      run.errors.map((e) => e.code),
      ['E_PIPELINE_EMBED'],
    );
    const m = run.pipeline.metrics();
    assert.equal(m.inferenceErrors, 1);
    assert.equal(m.cameras.a?.inferenceFailures, 1);
    const ps = byCamera(run.predictions, 'a');
    assert.equal(ps.length, 12, 'every window still comes out');
    assert.equal(m.windowsDegraded, 4, 'the 4 windows containing segment 5 used a neighbour');
    for (const p of ps.filter((x) => !x.segmentIndices.includes(5)))
      assertClose(p.logits, expectedLogits(pixelsOf(p)));
  });

  test('a failed head call is reported (E_PIPELINE_HEAD) and later windows go on', () => {
    const scheduler = testScheduler();
    let run: Run | undefined;
    let heads = 0;
    scheduler.run(() => {
      run = build(
        scheduler,
        {},
        { head: (normal) => (++heads === 2 ? throwError(() => new Error('fc failed')) : normal()) },
      );
      run.pipeline.addCamera('a', live(frames('a', 0, 2000, 200)));
    });
    assert.ok(run);
    assert.deepEqual(
      run.errors.map((e) => e.code),
      ['E_PIPELINE_HEAD'],
    );
    const ps = byCamera(run.predictions, 'a');
    assert.ok(
      ps.length >= 5 && ps.length < 7,
      `${ps.length} predictions: those of the failed call are missing`,
    );
    assert.ok(ps.at(-1)?.segmentIndices.includes(9), 'windows after the failure still come out');
    assert.equal(run.pipeline.metrics().headErrors, 1);
  });

  test('a camera whose frame stream errors is reported (E_PIPELINE_FRAMES); other cameras go on', () => {
    const scheduler = testScheduler();
    let run: Run | undefined;
    scheduler.run(() => {
      run = build(scheduler);
      const broken = concat(
        live(frames('bad', 0, 1000, 200)),
        throwError(() => new Error('decoder died')),
      );
      run.pipeline.addCamera('bad', broken);
      run.pipeline.addCamera('good', live(frames('good', 0, 2000, 200)));
    });
    assert.ok(run);
    assert.deepEqual(
      run.errors.map((e) => e.code),
      ['E_PIPELINE_FRAMES'],
    );
    assert.equal(byCamera(run.predictions, 'bad').length, 2, 'the segments before the error still count');
    assert.equal(byCamera(run.predictions, 'good').length, 7);
  });

  test('fairness: a flooding camera cannot starve a quiet one behind a slow backbone', () => {
    const scheduler = testScheduler();
    let run: Run | undefined;
    scheduler.run(() => {
      run = build(
        scheduler,
        { batching: { maxBatch: 2, maxWaitMs: 0, maxQueue: 6, maxInFlight: 1 } },
        { inferenceMs: 100 },
      );
      // flood: 20 ms segments (50 segment frames/s); quiet: 200 ms segments (5/s); backbone: 20/s.
      run.pipeline.addCamera('flood', live(frames('flood', 0, 4000, 20)), { numSeg: 4, windowMs: 80 });
      run.pipeline.addCamera('quiet', live(frames('quiet', 0, 4000, 200)));
    });
    assert.ok(run);
    const m = run.pipeline.metrics();
    assert.ok((m.cameras.flood?.queueDrops ?? 0) > 50, 'the flooding camera pays for the overload');
    assert.equal(m.cameras.quiet?.queueDrops, 0);
    const quiet = byCamera(run.predictions, 'quiet');
    assert.equal(quiet.length, 17);
    for (const p of quiet) assertClose(p.logits, expectedLogits(pixelsOf(p)));
  });

  for (const mode of ['segment', 'clip'] as const) {
    test(`re-adding a camera id while its old results are in flight mixes nothing up (${mode} mode)`, () => {
      const scheduler = testScheduler();
      let run: Run | undefined;
      scheduler.run(() => {
        run = build(scheduler, { mode }, { inferenceMs: 150 });
        run.pipeline.addCamera('a', live(frames('a', 0, 1000, 200)));
        scheduler.schedule(() => {
          run?.pipeline.removeCamera('a');
          // The new stream restarts its clock at 0, with different pixels.
          const fresh = frames('a', 0, 1200, 200).map((f) => frame('a', f.ptsMs, 7));
          run?.pipeline.addCamera('a', live(fresh));
        }, 900);
      });
      assert.ok(run);
      // The old camera's first window (segments 0-3, closed at 800 ms) was still in the backbone at 900 ms:
      // its result is dropped, and seq numbers keep it from landing in the new camera's windows.
      const ps = byCamera(run.predictions, 'a');
      assert.deepEqual(
        ps.map((p) => p.segmentIndices),
        [
          [0, 1, 2, 3],
          [1, 2, 3, 4],
          [2, 3, 4, 5],
        ],
      );
      for (const p of ps) assertClose(p.logits, expectedLogits([7, 7, 7, 7]), 1e-4);
    });
  }

  test('CenterCrop and TenCrop cameras share the batcher but never a batch', () => {
    const scheduler = testScheduler();
    const batches: { views: number; cameras: string[] }[] = [];
    let run: Run | undefined;
    scheduler.run(() => {
      run = build(
        scheduler,
        {},
        {
          embed: (batch: readonly SegmentFrame[], views, normal) => {
            batches.push({ views, cameras: [...new Set(batch.map((s) => s.cameraId))] });
            return normal();
          },
        },
      );
      run.pipeline.addCamera('one', live(frames('one', 0, 2000, 200)));
      run.pipeline.addCamera('ten', live(frames('ten', 0, 2000, 200)), { views: 10 });
    });
    assert.ok(run);
    assert.ok(batches.every((b) => b.cameras.length === 1 && b.views === (b.cameras[0] === 'ten' ? 10 : 1)));
    for (const p of byCamera(run.predictions, 'ten')) assertClose(p.logits, expectedLogits(pixelsOf(p), 10));
    for (const p of byCamera(run.predictions, 'one')) assertClose(p.logits, expectedLogits(pixelsOf(p), 1));
  });
});
