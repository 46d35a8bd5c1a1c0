import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Frame } from '../../../src/domain/index.js';
import { Segmenter, type SegmentJob, type WindowSpec } from '../../../src/pipeline/segmenter.js';
import { WindowAssembler, type ReadyWindow } from '../../../src/pipeline/window-assembler.js';
import { packHeadCalls, toPredictions } from '../../../src/pipeline/window-head.js';
import { softmax } from '../../../src/pipeline/scores.js';
import type { SegmenterOptions } from '../../../src/pipeline/options.js';
import { isTsnError } from '../../../src/errors/index.js';
import {
  assertClose,
  expectedLogits,
  fakeEmbed,
  fakeHead,
  FEATURE_DIM,
  frame,
  frames,
  LABELS,
} from './fakes.js';

const segOptions: SegmenterOptions = {
  numSeg: 4,
  windowMs: 800,
  strideSegments: 1,
  maxGapMs: 600,
  missingSegment: 'nearest',
  pick: 'paddle',
  gridOriginMs: 0,
  framePeriodMs: 0,
};

function segment(cameraId: string, input: readonly Frame[]): { jobs: SegmentJob[]; windows: WindowSpec[] } {
  const s = new Segmenter(cameraId, segOptions);
  const outs = [...input.map((f) => s.push(f)), s.flush()];
  return { jobs: outs.flatMap((o) => o.segments), windows: outs.flatMap((o) => o.windows) };
}

const pixels = (w: WindowSpec): number[] => w.segments.map((s) => s.frame.rgb[0] ?? 0);

function headLogits(ready: readonly ReadyWindow[]): Float32Array[] {
  return packHeadCalls(ready).flatMap((call) => {
    const logits = fakeHead(call.features, call.windows.length, call.perWindow);
    return call.windows.map((_, i) => logits.slice(i * 3, (i + 1) * 3));
  });
}

describe('WindowAssembler + head', () => {
  test('each window is fc(mean of its segment features)', () => {
    const { jobs, windows } = segment('cam', frames('cam', 0, 1600, 40));
    const assembler = new WindowAssembler();
    assembler.addCamera('cam', 4, 1);
    windows.forEach((w) => assembler.addWindow(w));
    const ready = assembler.addFeatures(jobs, fakeEmbed(jobs, 1), 1);
    assert.equal(ready.length, windows.length);
    const logits = headLogits(ready);
    ready.forEach((r, i) => assertClose(logits[i] ?? [], expectedLogits(pixels(r.spec))));
    assert.ok(
      assembler.heldFeatures <= 4,
      `held ${assembler.heldFeatures} features, expected at most numSeg`,
    );
  });

  test('features arriving one segment at a time release each window once its last segment is in', () => {
    const { jobs, windows } = segment('cam', frames('cam', 0, 1400, 40));
    const assembler = new WindowAssembler();
    assembler.addCamera('cam', 4, 1);
    windows.forEach((w) => assembler.addWindow(w));
    const releasedAfter = jobs.map((job) => assembler.addFeatures([job], fakeEmbed([job], 1), 1).length);
    assert.deepEqual(releasedAfter, [0, 0, 0, 1, 1, 1, 1]);
  });

  test('out-of-order batches still release windows in order', () => {
    const { jobs, windows } = segment('cam', frames('cam', 0, 1400, 40));
    const assembler = new WindowAssembler();
    assembler.addCamera('cam', 4, 1);
    windows.forEach((w) => assembler.addWindow(w));
    const late = jobs.slice(0, 2);
    const early = jobs.slice(2);
    assert.equal(assembler.addFeatures(early, fakeEmbed(early, 1), 1).length, 0);
    const ready = assembler.addFeatures(late, fakeEmbed(late, 1), 1);
    assert.deepEqual(
      ready.map((r) => r.spec.segments[0]?.segmentIndex),
      [0, 1, 2, 3],
    );
  });

  test("lostSegments 'abandon': a dropped segment abandons exactly the windows containing it, announced or not", () => {
    const { jobs, windows } = segment('cam', frames('cam', 0, 1800, 40));
    const assembler = new WindowAssembler('abandon');
    assembler.addCamera('cam', 4, 1);
    const lost = jobs[3] as SegmentJob;
    windows.slice(0, 2).forEach((w) => assembler.addWindow(w));
    assembler.dropSegments([lost]);
    windows.slice(2).forEach((w) => assembler.addWindow(w));
    const kept = jobs.filter((j) => j !== lost);
    const ready = assembler.addFeatures(kept, fakeEmbed(kept, 1), 1);
    const expected = windows.filter((w) => !w.segments.includes(lost)).length;
    assert.equal(ready.length, expected);
    assert.equal(assembler.abandoned, windows.length - expected);
    assert.ok(ready.every((r) => !r.spec.segments.includes(lost)));
  });

  test("lostSegments 'substitute': the nearest segment of the window stands in for a lost one", () => {
    const { jobs, windows } = segment('cam', frames('cam', 0, 1000, 40));
    const assembler = new WindowAssembler();
    assembler.addCamera('cam', 4, 1);
    windows.forEach((w) => assembler.addWindow(w));
    const lost = jobs[1] as SegmentJob;
    const kept = jobs.filter((j) => j !== lost);
    assert.equal(assembler.addFeatures(kept, fakeEmbed(kept, 1), 1).length, 0, 'waits for the lost segment');
    const ready = assembler.dropSegments([lost]);
    assert.equal(ready.length, 2);
    const first = ready[0] as ReadyWindow;
    // Window [0, 1, 2, 3] without segment 1: segment 0 (earlier on ties) stands in.
    const standIn = pixels(first.spec);
    standIn[1] = standIn[0] ?? 0;
    assertClose(headLogits([first])[0] ?? [], expectedLogits(standIn));
    assert.equal(assembler.degraded, 2);
    assert.equal(assembler.abandoned, 0);
  });

  test('a window whose segments are all lost is abandoned even when substituting', () => {
    const { jobs, windows } = segment('cam', frames('cam', 0, 1000, 40));
    const assembler = new WindowAssembler();
    assembler.addCamera('cam', 4, 1);
    windows.forEach((w) => assembler.addWindow(w));
    const lost = jobs.slice(0, 4);
    assembler.dropSegments(lost);
    const rest = jobs.slice(4);
    const ready = assembler.addFeatures(rest, fakeEmbed(rest, 1), 1);
    assert.equal(assembler.abandoned, 1);
    assert.deepEqual(
      ready.map((r) => r.spec.segments[0]?.segmentIndex),
      [1],
    );
  });

  test('TenCrop: perWindow = numSeg x 10 and the head averages views too', () => {
    const { jobs, windows } = segment('cam', frames('cam', 0, 1000, 40));
    const assembler = new WindowAssembler();
    assembler.addCamera('cam', 4, 10);
    windows.forEach((w) => assembler.addWindow(w));
    const ready = assembler.addFeatures(jobs, fakeEmbed(jobs, 10), 10);
    assert.equal(ready[0]?.perWindow, 40);
    assert.equal(ready[0]?.features.length, 40 * FEATURE_DIM);
    const logits = headLogits(ready);
    ready.forEach((r, i) => assertClose(logits[i] ?? [], expectedLogits(pixels(r.spec), 10)));
  });

  test('windows of several cameras ready together share one head call', () => {
    const a = segment('a', frames('a', 0, 1000, 40));
    const b = segment('b', frames('b', 0, 1000, 50));
    const assembler = new WindowAssembler();
    assembler.addCamera('a', 4, 1);
    assembler.addCamera('b', 4, 1);
    [...a.windows, ...b.windows].forEach((w) => assembler.addWindow(w));
    const jobs = [...a.jobs, ...b.jobs];
    const ready = assembler.addFeatures(jobs, fakeEmbed(jobs, 1), 1);
    const calls = packHeadCalls(ready);
    assert.equal(calls.length, 1);
    assert.equal(calls[0]?.windows.length, a.windows.length + b.windows.length);
    const logits = headLogits(ready);
    ready.forEach((r, i) => assertClose(logits[i] ?? [], expectedLogits(pixels(r.spec))));
  });

  test('a removed camera ignores features still in flight', () => {
    const { jobs, windows } = segment('cam', frames('cam', 0, 1000, 40));
    const assembler = new WindowAssembler();
    assembler.addCamera('cam', 4, 1);
    windows.forEach((w) => assembler.addWindow(w));
    assembler.removeCamera('cam');
    assert.deepEqual(assembler.addFeatures(jobs, fakeEmbed(jobs, 1), 1), []);
  });

  test('a wrongly sized embed result is rejected with E_PIPELINE_EMBED', () => {
    const { jobs } = segment('cam', [frame('cam', 0), frame('cam', 300)]);
    const assembler = new WindowAssembler();
    assembler.addCamera('cam', 4, 10);
    assert.throws(
      () => assembler.addFeatures(jobs, new Float32Array(7), 10),
      (e) => isTsnError(e, 'E_PIPELINE_EMBED'),
    );
  });
});

describe('toPredictions', () => {
  test('softmax scores, top-k with labels, stream and wall bounds', () => {
    const { windows } = segment('cam', frames('cam', 0, 1000, 40));
    const first = windows[0] as WindowSpec;
    const logits = Float32Array.of(1, 3, 2);
    const [p] = toPredictions([first], logits, { modelId: 'm', labels: LABELS, topKOf: () => 2 });
    assert.ok(p);
    assertClose(p.scores, softmax(logits));
    assert.deepEqual(
      p.top.map((t) => [t.index, t.label]),
      [
        [1, 'run'],
        [2, 'fall'],
      ],
    );
    assert.equal(p.windowStartMs, 0);
    assert.equal(p.windowEndMs, 800);
    assert.equal(p.windowEndWallMs - p.windowStartWallMs, 800);
    assert.deepEqual(p.segmentIndices, [0, 1, 2, 3]);
    assert.ok(Math.abs(p.scores.reduce((a, b) => a + b, 0) - 1) < 1e-6);
  });

  test('logits not divisible by the window count are rejected with E_PIPELINE_HEAD', () => {
    const { windows } = segment('cam', frames('cam', 0, 1200, 40));
    assert.throws(
      () =>
        toPredictions(windows.slice(0, 2), new Float32Array(5), {
          modelId: 'm',
          labels: LABELS,
          topKOf: () => 1,
        }),
      (e) => isTsnError(e, 'E_PIPELINE_HEAD'),
    );
  });
});
