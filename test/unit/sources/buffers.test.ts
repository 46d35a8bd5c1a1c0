import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FrameSplitter } from '../../../src/sources/frame-splitter.js';
import { FrameClock } from '../../../src/sources/frame-clock.js';
import { LineRing } from '../../../src/sources/line-ring.js';

describe('FrameSplitter', () => {
  test('cuts any chunking into whole frames and keeps the partial rest', () => {
    const splitter = new FrameSplitter(4);
    const bytes = Uint8Array.from({ length: 10 }, (_, i) => i);
    const frames = [bytes.subarray(0, 3), bytes.subarray(3, 9), bytes.subarray(9)].flatMap((c) =>
      splitter.push(c),
    );
    assert.deepEqual(
      frames.map((f) => [...f]),
      [
        [0, 1, 2, 3],
        [4, 5, 6, 7],
      ],
    );
    assert.equal(splitter.pendingBytes, 2);
    splitter.reset();
    assert.deepEqual([...(splitter.push(Uint8Array.of(9, 9, 9, 9))[0] ?? [])], [9, 9, 9, 9]);
  });

  test('frames are independent copies', () => {
    const splitter = new FrameSplitter(2);
    const chunk = Uint8Array.of(1, 2, 3, 4);
    const [a, b] = splitter.push(chunk);
    chunk.fill(0);
    assert.deepEqual([a?.[0], b?.[0]], [1, 3]);
  });
});

describe('FrameClock', () => {
  test('frame n of a connection is n intervals after its first, on both clocks', () => {
    const clock = new FrameClock(500);
    assert.deepEqual(clock.stamp(10_000), { ptsMs: 0, wallMs: 10_000, scheduledWallMs: 10_000 });
    assert.deepEqual(clock.stamp(10_700), { ptsMs: 500, wallMs: 10_500, scheduledWallMs: 10_500 });
    assert.deepEqual(clock.stamp(11_050), { ptsMs: 1000, wallMs: 11_000, scheduledWallMs: 11_000 });
  });

  test('a burst at connect moves the wall mapping earlier: no frame is stamped after it arrived', () => {
    const clock = new FrameClock(250);
    // ffmpeg hands over four buffered frames within 110 ms, then frames come one per interval.
    const arrivals = [10_000, 10_040, 10_080, 10_110, 10_360, 10_610];
    const stamps = arrivals.map((now) => clock.stamp(now));
    stamps.forEach((s, i) => assert.ok(s.wallMs <= (arrivals[i] ?? 0), `frame ${i} stamped in the future`));
    assert.deepEqual(stamps.at(-1), { ptsMs: 1250, wallMs: 10_610, scheduledWallMs: 11_250 });
    assert.deepEqual(
      stamps.map((s) => s.ptsMs),
      [0, 250, 500, 750, 1000, 1250],
    );
  });

  test('scheduled wall time keeps the first-arrival anchor, so a stream outrunning real time shows', () => {
    const clock = new FrameClock(500);
    const stamps = [10_000, 10_010, 10_020, 10_030].map((now) => clock.stamp(now));
    assert.deepEqual(
      stamps.map((s) => s.scheduledWallMs - 10_000),
      [0, 500, 1000, 1500],
    );
  });

  test('a reconnection continues the stream clock by the wall time that passed', () => {
    const clock = new FrameClock(500);
    clock.stamp(10_000);
    clock.stamp(10_500);
    clock.reconnect();
    assert.deepEqual(clock.stamp(14_500), { ptsMs: 4_500, wallMs: 14_500, scheduledWallMs: 14_500 });
    clock.reconnect();
    // Even when the wall clock says otherwise, pts never goes back or repeats.
    assert.deepEqual(clock.stamp(14_500), { ptsMs: 5_000, wallMs: 14_500, scheduledWallMs: 14_500 });
  });
});

describe('LineRing', () => {
  test('keeps the last N complete lines across chunk boundaries', () => {
    const ring = new LineRing(2);
    assert.deepEqual(ring.push('a\nb'), ['a']);
    assert.deepEqual(ring.push('c\r\nd\n\n'), ['bc', 'd']);
    assert.deepEqual(ring.snapshot(), ['bc', 'd']);
    ring.push('tail');
    assert.deepEqual(ring.snapshot(), ['d', 'tail']);
  });

  test('maps whole lines, even when a line arrives in pieces', () => {
    const ring = new LineRing(5, 100, (l) => l.replace('secret', '***'));
    ring.push('pass=sec');
    ring.push('ret ok\nnext sec');
    ring.push('ret');
    assert.deepEqual(ring.snapshot(), ['pass=*** ok', 'next ***']);
  });

  test('bounds a line that never ends', () => {
    const ring = new LineRing(3, 10);
    for (let i = 0; i < 1000; i++) ring.push('x'.repeat(100));
    assert.equal(ring.snapshot().join('').length <= 10, true);
  });
});
