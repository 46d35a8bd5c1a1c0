import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { map } from 'rxjs';
import type { Frame } from '../../../src/domain/index.js';
import { Segmenter, type SegmenterOutput } from '../../../src/pipeline/segmenter.js';
import { segmentFrames } from '../../../src/pipeline/operators.js';
import type { SegmenterOptions } from '../../../src/pipeline/options.js';
import { frame, frames, testScheduler } from './fakes.js';

const base: SegmenterOptions = {
  numSeg: 4,
  windowMs: 800,
  strideSegments: 1,
  maxGapMs: 600,
  missingSegment: 'nearest',
  pick: 'paddle',
  gridOriginMs: 0,
  framePeriodMs: 0,
};

function run(options: Partial<SegmenterOptions>, input: readonly Frame[], flush = true): SegmenterOutput {
  const s = new Segmenter('cam', { ...base, ...options });
  const all: SegmenterOutput = { segments: [], windows: [], breaks: [] };
  const add = (o: SegmenterOutput): void => {
    all.segments.push(...o.segments);
    all.windows.push(...o.windows);
    all.breaks.push(...o.breaks);
  };
  for (const f of input) add(s.push(f));
  if (flush) add(s.flush());
  return all;
}

const framesOf = (o: SegmenterOutput): number[] => o.segments.map((s) => s.frame.ptsMs);
const windowIndices = (o: SegmenterOutput): number[][] =>
  o.windows.map((w) => w.segments.map((s) => s.segmentIndex));

describe('Segmenter grid and pick rule', () => {
  // PaddleVideo's sampler on example.avi (131 frames, 25 fps): one window over the whole file equals
  // trunc(d/2 + d*x), PaddleVideo's test vectors.
  const file = frames('cam', 0, 131 * 40, 40);
  for (const [numSeg, expected] of [
    [3, [21, 65, 109]],
    [8, [8, 24, 40, 57, 73, 90, 106, 122]],
    [
      25,
      [
        2, 7, 13, 18, 23, 28, 34, 39, 44, 49, 55, 60, 65, 70, 75, 81, 86, 91, 96, 102, 107, 112, 117, 123,
        128,
      ],
    ],
  ] as const) {
    test(`paddle rule reproduces PaddleVideo indices for num_seg=${numSeg}`, () => {
      const out = run({ numSeg, windowMs: 131 * 40, maxGapMs: 10_000 }, file);
      assert.deepEqual(
        framesOf(out).map((pts) => pts / 40),
        expected,
      );
      assert.equal(out.windows.length, 1);
      assert.deepEqual(out.windows[0]?.startMs, 0);
      assert.ok(Math.abs((out.windows[0]?.endMs ?? 0) - 5240) < 1e-6);
    });
  }

  test('nearest rule picks the frame closest to the centre', () => {
    const out = run({ numSeg: 8, windowMs: 131 * 40, maxGapMs: 10_000, pick: 'nearest' }, file);
    // Segment 2's centre is frame 40.94: nearest is 41 where PaddleVideo truncates to 40.
    assert.equal((out.segments[2]?.frame.ptsMs ?? 0) / 40, 41);
  });

  test('segments carry grid bounds and consecutive seq numbers', () => {
    const out = run({ gridOriginMs: 50 }, frames('cam', 50, 850, 40));
    assert.deepEqual(
      out.segments.map((s) => [s.segmentIndex, s.segmentStartMs, s.segmentEndMs, s.seq]),
      [
        [0, 50, 250, 0],
        [1, 250, 450, 1],
        [2, 450, 650, 2],
        [3, 650, 850, 3],
      ],
    );
  });

  test('a segment is emitted once its pick is final: a frame past its centre, its end, or flush', () => {
    const s = new Segmenter('cam', base);
    // Segment 0 is [0, 200), centre 100. 60 could still be beaten by a frame at or before 100.
    assert.equal(s.push(frame('cam', 0)).segments.length, 0);
    assert.equal(s.push(frame('cam', 60)).segments.length, 0);
    assert.deepEqual(framesOf(s.push(frame('cam', 120))), [60], 'past the centre: the pick is final');
    assert.equal(s.push(frame('cam', 160)).segments.length, 0, 'emitted once only');
    // Segment 1 is [200, 400): 210 could be beaten until a frame past 300 or the segment's end.
    assert.equal(s.push(frame('cam', 210)).segments.length, 0);
    assert.equal(s.flush(399).segments.length, 0);
    assert.deepEqual(framesOf(s.flush(400)), [210]);
    assert.equal(s.push(frame('cam', 410)).segments.length, 0, 'segment 2 is open');
    assert.equal(s.flush().segments.length, 1, 'end of stream closes it');
  });

  test('nearest rule: final once a frame past the centre arrives (later frames are only further away)', () => {
    const s = new Segmenter('cam', { ...base, pick: 'nearest' });
    assert.equal(s.push(frame('cam', 0)).segments.length, 0);
    assert.equal(
      s.push(frame('cam', 90)).segments.length,
      0,
      '10 before the centre: a nearer frame may come',
    );
    assert.deepEqual(framesOf(s.push(frame('cam', 105))), [105]);
  });
});

describe('Segmenter with a known frame period (constant-rate sources)', () => {
  /** When each segment went out: the pts of the frame whose push emitted it. */
  function emittedAt(options: Partial<SegmenterOptions>, input: readonly Frame[]) {
    const s = new Segmenter('cam', { ...base, ...options });
    return input.flatMap((f) => s.push(f).segments.map((seg) => ({ pick: seg.frame.ptsMs, at: f.ptsMs })));
  }
  // 1 s segments (8 over 8 s), as bench:pipeline runs them.
  const second = { numSeg: 8, windowMs: 8000, maxGapMs: 3000 };
  for (const [sampleFps, pick] of [
    [2, 'paddle'],
    [4, 'paddle'],
    [2, 'nearest'],
    [4, 'nearest'],
  ] as const) {
    test(`${sampleFps} frames/s, ${pick}: the same picks, each emitted on its own frame`, () => {
      const periodMs = 1000 / sampleFps;
      const input = frames('cam', 0, 10_000, periodMs);
      const unknown = emittedAt({ ...second, pick }, input);
      const known = emittedAt({ ...second, pick, framePeriodMs: periodMs }, input);
      // Without the period the last segment waits for a frame that never comes (or flush).
      assert.deepEqual(
        known.map((e) => e.pick).slice(0, unknown.length),
        unknown.map((e) => e.pick),
      );
      assert.ok(known.length >= 9 && known.length - unknown.length <= 1);
      for (const e of known) assert.equal(e.at, e.pick, `pick ${e.pick} waited for ${e.at}`);
      if (pick === 'paddle') {
        // The centre frame could still be beaten by another at the centre until a later frame shows up.
        for (const e of unknown) assert.equal(e.at, e.pick + periodMs, 'without the period: one frame later');
      }
    });
  }

  test('a frame that may still be beaten waits: the period only rules out what cannot come', () => {
    // 4 frames/s; segment 0 is [0, 1000), centre 500. After 250 the next frame can be 500 (at the centre).
    const s = new Segmenter('cam', { ...base, ...second, framePeriodMs: 250 });
    assert.equal(s.push(frame('cam', 0)).segments.length, 0);
    assert.equal(s.push(frame('cam', 250)).segments.length, 0);
    assert.deepEqual(framesOf(s.push(frame('cam', 500))), [500]);
  });

  test('across a reconnect (pts jump further than one period) picks stay final on arrival', () => {
    const input = [...frames('cam', 0, 2000, 500), ...frames('cam', 2700, 5000, 500)];
    const known = emittedAt({ ...second, framePeriodMs: 500 }, input);
    assert.deepEqual(
      known.map((e) => e.pick),
      [500, 1500, 2700, 3200, 4200],
    );
    for (const e of known) assert.equal(e.at, e.pick);
  });
});

describe('Segmenter windows', () => {
  test('windows of numSeg consecutive segments slide by one segment', () => {
    const out = run({}, frames('cam', 0, 1400, 40));
    assert.deepEqual(windowIndices(out), [
      [0, 1, 2, 3],
      [1, 2, 3, 4],
      [2, 3, 4, 5],
      [3, 4, 5, 6],
    ]);
    // Every segment frame is emitted exactly once although it belongs to up to numSeg windows.
    assert.deepEqual(
      out.segments.map((s) => s.segmentIndex),
      [0, 1, 2, 3, 4, 5, 6],
    );
    assert.equal(out.windows[1]?.segments[0], out.windows[0]?.segments[1], 'windows share segment objects');
  });

  test('strideSegments=2 emits every second window', () => {
    const out = run({ strideSegments: 2 }, frames('cam', 0, 1800, 40));
    assert.deepEqual(windowIndices(out), [
      [0, 1, 2, 3],
      [2, 3, 4, 5],
      [4, 5, 6, 7],
    ]);
  });

  test('a frame-rate change keeps the grid: 25 fps then 5 fps', () => {
    const input = [...frames('cam', 0, 800, 40), ...frames('cam', 800, 1600, 200)];
    const out = run({}, input);
    assert.deepEqual(
      out.segments.map((s) => s.segmentIndex),
      [0, 1, 2, 3, 4, 5, 6, 7],
    );
    assert.ok(out.segments.every((s) => !s.filled));
    // At 5 fps each 200 ms segment holds exactly one frame, at its start.
    assert.deepEqual(framesOf(out).slice(4), [800, 1000, 1200, 1400]);
    assert.equal(out.windows.length, 5);
  });
});

describe('Segmenter gaps, late frames and restarts', () => {
  // Frames every 40 ms except none in segment 2 ([400, 600)): a 240 ms pause, within maxGapMs.
  const withHole = [...frames('cam', 0, 400, 40), ...frames('cam', 600, 1400, 40)];

  test("missingSegment 'nearest' fills an empty segment with the frame around the pause the rule prefers", () => {
    const out = run({}, withHole);
    const filled = out.segments.filter((s) => s.filled);
    assert.equal(filled.length, 1);
    assert.equal(filled[0]?.segmentIndex, 2);
    assert.equal(filled[0]?.frame.ptsMs, 360, 'paddle rule: the latest frame before the centre');
    assert.deepEqual(windowIndices(out)[0], [0, 1, 2, 3]);
    assert.equal(out.windows.length, 4);
  });

  test("missingSegment 'nearest' with the nearest rule takes the closer frame after the pause", () => {
    // Segment 2's centre is 500: 600 (after the pause) is closer than 360 (before it).
    const out = run({ pick: 'nearest' }, withHole);
    const filled = out.segments.find((s) => s.filled);
    assert.equal(filled?.frame.ptsMs, 600);
  });

  test("missingSegment 'skip' emits no window containing the empty segment", () => {
    const out = run({ missingSegment: 'skip' }, withHole);
    assert.equal(out.segments.filter((s) => s.filled).length, 0);
    assert.ok(windowIndices(out).every((w) => !w.includes(2)));
    assert.deepEqual(windowIndices(out), [[3, 4, 5, 6]]);
  });

  test('a pause longer than maxGapMs restarts the ring: no window spans it', () => {
    const input = [...frames('cam', 0, 1000, 40), ...frames('cam', 2000, 3000, 40)];
    const s = new Segmenter('cam', base);
    const outs = input.map((f) => s.push(f));
    const all = outs.flatMap((o) => o.windows);
    const breaks = outs.flatMap((o) => o.breaks);
    assert.deepEqual(breaks, [{ cameraId: 'cam', reason: 'gap', lastPtsMs: 960, nextPtsMs: 2000 }]);
    for (const w of all) {
      const idx = w.segments.map((x) => x.segmentIndex);
      assert.ok(
        idx.every((i) => i < 5) || idx.every((i) => i >= 10),
        `window ${idx.join(',')} spans the gap`,
      );
    }
    const segmentsInGap = outs
      .flatMap((o) => o.segments)
      .filter((x) => x.segmentIndex >= 5 && x.segmentIndex < 10);
    assert.equal(segmentsInGap.length, 0);
    assert.equal(s.stats.gaps, 1);
  });

  test('frames older than the open segment are dropped and counted; out-of-order inside it are used', () => {
    const s = new Segmenter('cam', base);
    s.push(frame('cam', 0));
    s.push(frame('cam', 120));
    s.push(frame('cam', 210)); // closes segment 0, opens 1
    assert.equal(s.push(frame('cam', 150)).segments.length, 0);
    assert.equal(s.stats.framesLate, 1);
    s.push(frame('cam', 290)); // centre of segment 1 is 300
    s.push(frame('cam', 250)); // out of order, inside the open segment, but 290 is still preferred
    const out = s.flush();
    assert.deepEqual(framesOf(out), [290]);
    assert.equal(s.stats.framesLate, 1);
  });

  test('pts jumping back by more than maxGapMs is a stream restart: ring reset, seq keeps counting', () => {
    const s = new Segmenter('cam', base);
    const first = frames('cam', 5000, 6000, 40).map((f) => s.push(f));
    const restart = s.push(frame('cam', 0));
    assert.deepEqual(
      restart.breaks.map((b) => b.reason),
      ['restart'],
    );
    const lastSeqBefore = first.flatMap((o) => o.segments).at(-1)?.seq ?? -1;
    assert.equal(lastSeqBefore, 4, 'segments 25..29 of the old stream were all emitted');
    const after = [...frames('cam', 40, 1000, 40).map((f) => s.push(f)), s.flush()];
    const segmentsAfter = after.flatMap((o) => o.segments);
    assert.equal(segmentsAfter[0]?.segmentIndex, 0);
    assert.equal(segmentsAfter[0]?.seq, lastSeqBefore + 1);
    const windowsAfter = after.flatMap((o) => o.windows);
    assert.ok(windowsAfter.every((w) => w.segments.every((x) => x.frame.ptsMs < 1000)));
    assert.equal(first.flatMap((o) => o.windows).length > 0, true);
    assert.equal(s.stats.restarts, 1);
  });
});

describe('segmentFrames operator (virtual time)', () => {
  test('emits each segment when the next segment begins, and the last one when the stream completes', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      // One frame every 100 virtual ms; the frame's pts is its arrival time. Segments are 200 ms.
      const input = cold('a 99ms b 99ms c 99ms d 99ms e 99ms f|', {
        a: frame('cam', 0),
        b: frame('cam', 100),
        c: frame('cam', 200),
        d: frame('cam', 300),
        e: frame('cam', 400),
        f: frame('cam', 500),
      });
      const s = new Segmenter('cam', { ...base, numSeg: 2, windowMs: 400 });
      const picked = input.pipe(segmentFrames(s));
      const summary = (o: SegmenterOutput): string =>
        `${o.segments.map((x) => `${x.segmentIndex}:${x.frame.ptsMs}`).join(',')}/${o.windows.length}`;
      expectObservable(picked.pipe(map(summary))).toBe('200ms x 199ms y 100ms (z|)', {
        x: '0:100/0',
        y: '1:300/1',
        z: '2:500/1',
      });
    });
  });
});
