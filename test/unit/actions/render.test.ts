import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { ACTION_LABELS, frameCount, renderActionVideo } from '../../../simulators/actions/render.js';
import { forwardKinematics } from '../../../simulators/actions/skeleton.js';
import { actionFrame } from '../../../simulators/actions/actions.js';
import { buildEncodeArgs } from '../../../simulators/actions/encode.js';
import { clipSeed } from '../../../simulators/actions/dataset.js';
import { isTsnError } from '../../../src/errors/index.js';

const digest = (frames: Iterable<Uint8Array>): string => {
  const h = createHash('sha256');
  for (const f of frames) h.update(f);
  return h.digest('hex');
};

const spec = (seed: number, label = 'wave') => ({
  seed,
  width: 64,
  height: 48,
  fps: 10,
  segments: [{ label, durationMs: 1000 }],
});

test('the same seed renders the same bytes; another seed renders another scene', () => {
  assert.equal(digest(renderActionVideo(spec(7))), digest(renderActionVideo(spec(7))));
  assert.notEqual(digest(renderActionVideo(spec(7))), digest(renderActionVideo(spec(8))));
});

test('frames are width x height x 3 RGB24, round(duration x fps) of them, each a fresh buffer', () => {
  const frames = [
    ...renderActionVideo({
      ...spec(1),
      segments: [
        { label: 'idle', durationMs: 500 },
        { label: 'fall', durationMs: 700 },
      ],
    }),
  ];
  assert.equal(frames.length, 12);
  assert.equal(frameCount({ ...spec(1), segments: [{ label: 'walk', durationMs: 1234 }] }), 12);
  for (const f of frames) assert.equal(f.length, 64 * 48 * 3);
  assert.notEqual(frames[0]?.buffer, frames[1]?.buffer);
});

test('every action moves the figure: its frames differ from idle ones of the same scene', () => {
  const idle = [...renderActionVideo({ ...spec(3), segments: [{ label: 'idle', durationMs: 2000 }] })];
  for (const label of ACTION_LABELS) {
    const frames = [...renderActionVideo({ ...spec(3), segments: [{ label, durationMs: 2000 }] })];
    const diff = meanAbsDiff(frames.at(-5) as Uint8Array, idle.at(-5) as Uint8Array);
    assert.ok(diff > 1, `${label} differs from idle by only ${diff}`);
  }
});

test('the figure keeps its feet (or body) on the ground: lowest joint at lift 0', () => {
  const style = { speed: 1, side: 1 as const, amplitude: 1 };
  for (const label of [...ACTION_LABELS, 'idle' as const]) {
    for (const t of [0, 0.4, 1.3, 2.5]) {
      const j = forwardKinematics(actionFrame(label, t, style).pose);
      const low = Math.min(...Object.values(j).map((p) => p[1]));
      assert.ok(low >= -1e-9 && low < 0.12, `${label} at ${t}: lowest ${low}`);
    }
  }
  const lying = forwardKinematics(actionFrame('fall', 2, style).pose);
  assert.ok(Math.abs(lying.head[1] - lying.footL[1]) < 0.2, 'a fallen figure lies flat');
});

test('bad specs fail with E_SIM_ARGS naming the problem', () => {
  assert.throws(
    () => [...renderActionVideo({ ...spec(1), segments: [{ label: 'dance', durationMs: 100 }] })],
    (e) => isTsnError(e, 'E_SIM_ARGS') && /dance/.test(e.message),
  );
  assert.throws(
    () => [...renderActionVideo({ ...spec(1), width: 3 })],
    (e) => isTsnError(e, 'E_SIM_ARGS'),
  );
});

test('clip seeds of two sets do not collide', () => {
  const a = new Set(Array.from({ length: 500 }, (_, i) => clipSeed(1, i)));
  const b = Array.from({ length: 500 }, (_, i) => clipSeed(2, i));
  assert.equal(a.size, 500);
  assert.ok(b.every((s) => !a.has(s)));
});

test('encoder argv (golden): raw RGB24 on stdin to H.264 MP4', () => {
  assert.deepEqual(buildEncodeArgs({ out: '/tmp/a b/c.mp4', width: 160, height: 120, fps: 15 }), [
    '-hide_banner',
    '-loglevel',
    'error',
    '-f',
    'rawvideo',
    '-pix_fmt',
    'rgb24',
    '-s',
    '160x120',
    '-r',
    '15',
    '-i',
    'pipe:0',
    '-an',
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    '-crf',
    '20',
    '-g',
    '15',
    '-bf',
    '0',
    '-pix_fmt',
    'yuv420p',
    '-movflags',
    '+faststart',
    '-f',
    'mp4',
    '-y',
    '/tmp/a b/c.mp4',
  ]);
});

function meanAbsDiff(a: Uint8Array, b: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs((a[i] as number) - (b[i] as number));
  return sum / a.length;
}
