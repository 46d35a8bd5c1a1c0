import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  IDLE_LABEL,
  actionSchedule,
  actionsBetween,
  defaultScheduleTiming,
} from '../../../simulators/rtsp-camera/actions/schedule.js';
import { isTsnError } from '../../../src/errors/index.js';

const labels = ['wave', 'jumping_jacks', 'walk', 'squat', 'fall'];
const spec = { seed: 7, labels, ...defaultScheduleTiming };

test('a schedule is a function of its seed', () => {
  assert.deepEqual(actionSchedule(spec), actionSchedule(spec));
  assert.notDeepEqual(actionSchedule(spec).actions, actionSchedule({ ...spec, seed: 8 }).actions);
});

test('the loop alternates idle gaps and actions, starts and ends idle, and its parts add up', () => {
  for (let seed = 0; seed < 50; seed++) {
    const s = actionSchedule({ ...spec, seed });
    assert.ok(s.loopMs >= spec.minLoopMs);
    assert.equal(
      s.segments.reduce((sum, x) => sum + x.durationMs, 0),
      s.loopMs,
    );
    s.segments.forEach((x, i) => assert.equal(x.label === IDLE_LABEL, i % 2 === 0, `seed ${seed} part ${i}`));
    assert.equal(s.segments.at(-1)?.label, IDLE_LABEL);
    for (const x of s.segments) {
      const [lo, hi] = x.label === IDLE_LABEL ? spec.idleMs : spec.actionMs;
      assert.ok(x.durationMs >= lo && x.durationMs <= hi && x.durationMs % 1000 === 0);
    }
    assert.equal(s.actions.length, (s.segments.length - 1) / 2);
  }
});

test('no label plays twice in a row, also across the wrap of the loop', () => {
  for (let seed = 0; seed < 200; seed++) {
    const { actions } = actionSchedule({ ...spec, seed });
    const ring = [...actions, actions[0]!];
    for (let i = 1; i < ring.length; i++) assert.notEqual(ring[i]!.label, ring[i - 1]!.label, `seed ${seed}`);
  }
});

test('action offsets follow the segments', () => {
  const s = actionSchedule(spec);
  let at = 0;
  const fromSegments = [];
  for (const x of s.segments) {
    if (x.label !== IDLE_LABEL) fromSegments.push({ label: x.label, startMs: at, endMs: at + x.durationMs });
    at += x.durationMs;
  }
  assert.deepEqual(s.actions, fromSegments);
});

test('actionsBetween places the repeating loop in wall time', () => {
  const s = actionSchedule(spec);
  const anchor = 1_000_000;
  const all = actionsBetween(s, anchor, anchor, anchor + 3 * s.loopMs);
  assert.equal(all.length, 3 * s.actions.length);
  assert.deepEqual(all[s.actions.length], {
    label: s.actions[0]!.label,
    startWallMs: anchor + s.loopMs + s.actions[0]!.startMs,
    endWallMs: anchor + s.loopMs + s.actions[0]!.endMs,
  });
  // An action cut by the query's edges is included; nothing before the anchor exists.
  const a1 = s.actions[1]!;
  const cut = actionsBetween(s, anchor, anchor + a1.startMs + 1, anchor + a1.startMs + 2);
  assert.deepEqual(cut, [
    { label: a1.label, startWallMs: anchor + a1.startMs, endWallMs: anchor + a1.endMs },
  ]);
  assert.deepEqual(actionsBetween(s, anchor, 0, anchor), []);
});

test('a bad spec is E_SIM_ARGS naming each problem', () => {
  assert.throws(
    () => actionSchedule({ ...spec, labels: ['wave'], actionMs: [500, 400] }),
    (e: unknown) =>
      isTsnError(e) && e.code === 'E_SIM_ARGS' && /two labels/.test(e.message) && /actionMs/.test(e.message),
  );
  assert.throws(() => actionSchedule({ ...spec, labels: ['wave', 'idle'] }), /gap/);
});
