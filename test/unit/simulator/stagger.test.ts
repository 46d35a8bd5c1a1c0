import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DelayLine } from '../../../simulators/rtsp-camera/media/delay-line.js';
import { planCameras, staggeredDelayMs } from '../../../simulators/rtsp-camera/cli-options.js';

test('a delay line hands items out in order, each once delayMs has passed since it arrived', () => {
  const line = new DelayLine<string>(300, 100);
  line.push('a', 1000);
  line.push('b', 1040);
  assert.equal(line.nextDueMs, 1300);
  assert.deepEqual(line.takeDue(1299), []);
  assert.deepEqual(line.takeDue(1300), ['a']);
  assert.equal(line.nextDueMs, 1340);
  line.push('c', 1100);
  assert.deepEqual(line.takeDue(5000), ['b', 'c']);
  assert.equal(line.nextDueMs, undefined);
  assert.equal(line.size, 0);
});

test('a full delay line drops its oldest item and counts it; a long stream does not grow it', () => {
  const line = new DelayLine<number>(1000, 3);
  for (let i = 0; i < 5; i++) line.push(i, i);
  assert.equal(line.size, 3);
  assert.equal(line.dropped, 2);
  assert.deepEqual(line.takeDue(10_000), [2, 3, 4]);
  const steady = new DelayLine<number>(40, 10);
  const out: number[] = [];
  for (let ms = 0; ms < 100_000; ms += 40) {
    steady.push(ms, ms);
    out.push(...steady.takeDue(ms));
  }
  assert.equal(steady.dropped, 0);
  assert.ok(steady.size <= 2, `holds ${steady.size}`);
  assert.equal(out.length, 2499);
  assert.ok(out.every((v, i) => v === i * 40));
});

test('staggered delays: fixed per name, within [0, staggerMs), spread over the interval', () => {
  // Golden values: a camera keeps its delay across runs and versions.
  assert.deepEqual(
    ['cam-1', 'cam-2', 'cam-36', 'lobby'].map((n) => staggeredDelayMs(n, 1000)),
    [GOLDEN['cam-1'], GOLDEN['cam-2'], GOLDEN['cam-36'], GOLDEN.lobby],
  );
  assert.equal(staggeredDelayMs('cam-1', 0), 0);
  const delays = Array.from({ length: 36 }, (_, i) => staggeredDelayMs(`cam-${i + 1}`, 1000));
  assert.ok(delays.every((d) => Number.isInteger(d) && d >= 0 && d < 1000));
  // 36 cameras over 25 frame instants of a 1 s GOP: most instants hold a keyframe, none holds many.
  const perFrame = new Map<number, number>();
  for (const d of delays) perFrame.set(Math.floor(d / 40), (perFrame.get(Math.floor(d / 40)) ?? 0) + 1);
  assert.ok(perFrame.size >= 15, `${perFrame.size} distinct frame instants`);
  assert.ok(Math.max(...perFrame.values()) <= 5, JSON.stringify([...perFrame]));
});

test('tsn simulate --stagger-ms gives every planned camera its delay; without it none has one', () => {
  const base = { files: ['/v/lobby.mp4'], cameraOptions: ['door=/v/x.mp4'], generated: [], auth: undefined };
  const staggered = planCameras({ ...base, faults: [], staggerMs: 800 });
  assert.deepEqual(
    staggered.map((c) => c.delayMs),
    [staggeredDelayMs('lobby', 800), staggeredDelayMs('door', 800)],
  );
  assert.ok(planCameras({ ...base, faults: [] }).every((c) => c.delayMs === undefined));
});

const GOLDEN = { 'cam-1': 915, 'cam-2': 457, 'cam-36': 597, lobby: 451 };
