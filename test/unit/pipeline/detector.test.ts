import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ActionEvent } from '../../../src/domain/index.js';
import { Detector, type DetectorCameraConfig } from '../../../src/pipeline/detector.js';
import { defaultDetectorSettings, type DetectorSettings } from '../../../src/pipeline/options.js';
import { counterIds, LABELS, prediction, WALL_BASE_MS } from './fakes.js';

const settings = (o: Partial<DetectorSettings> = {}): DetectorSettings => ({
  ...defaultDetectorSettings,
  smoothing: 1,
  onThreshold: 0.5,
  offThreshold: 0.3,
  minWindowsOn: 2,
  minWindowsOff: 2,
  cooldownMs: 0,
  topK: 2,
  // Only "wave" raises events unless a test says otherwise ("run" gets 1 - wave in feed()).
  labels: { allow: ['wave'], deny: [] },
  ...o,
});

function detector(o: Partial<DetectorSettings> = {}, extra: Partial<DetectorCameraConfig> = {}): Detector {
  const d = new Detector(LABELS, counterIds());
  d.setCamera('cam', { settings: settings(o), emitPredictions: true, maxWindowGapMs: 1500, ...extra });
  return d;
}

/** Feeds one window per score of label 0 ("wave"); the rest of the mass goes to "run". */
function feed(d: Detector, waveScores: readonly number[], firstK = 0): ActionEvent[][] {
  return waveScores.map((s, i) => d.push(prediction('cam', firstK + i, [s, 1 - s, 0])).events);
}

const kinds = (perWindow: ActionEvent[][]): string[] =>
  perWindow.map((events) =>
    events.map((e) => `${e.type === 'action.started' ? '+' : '-'}${e.label}`).join(' '),
  );

describe('Detector hysteresis and run lengths', () => {
  test('starts after minWindowsOn windows at or above on, ends after minWindowsOff windows below off', () => {
    const d = detector();
    const out = feed(d, [0.2, 0.6, 0.6, 0.4, 0.35, 0.2, 0.4, 0.2, 0.2, 0.1]);
    assert.deepEqual(kinds(out), ['', '', '+wave', '', '', '', '', '', '-wave', '']);
  });

  test('a single window above on does not start an episode', () => {
    const d = detector();
    assert.deepEqual(kinds(feed(d, [0.9, 0.1, 0.9, 0.1])), ['', '', '', '']);
  });

  test('between off and on an active label stays active (hysteresis)', () => {
    const d = detector({ minWindowsOff: 1 });
    const out = feed(d, [0.6, 0.6, 0.31, 0.45, 0.31, 0.29]);
    assert.deepEqual(kinds(out), ['', '+wave', '', '', '', '-wave']);
  });

  test('events link start and end by episode id and carry peak score, times, window, top-k, model id', () => {
    const d = detector();
    const events = feed(d, [0.6, 0.8, 0.7, 0.1, 0.1]).flat();
    const [started, ended] = events;
    assert.ok(started && ended);
    assert.equal(started.episodeId, ended.episodeId);
    assert.notEqual(started.id, ended.id);
    assert.equal(started.schemaVersion, 1);
    assert.equal(started.camera, 'cam');
    assert.equal(started.labelIndex, 0);
    assert.ok(Math.abs(started.score - 0.8) < 1e-6);
    assert.ok(Math.abs(started.peakScore - 0.8) < 1e-6);
    assert.ok(Math.abs(ended.peakScore - 0.8) < 1e-6);
    assert.equal(started.startedAtMs, WALL_BASE_MS + 0, 'start of the first window of the run');
    assert.equal(started.startedAt, new Date(WALL_BASE_MS).toISOString());
    assert.equal(started.endedAt, null);
    assert.equal(ended.endedAtMs, WALL_BASE_MS + 2 * 500 + 2000, 'end of the last window still above off');
    assert.equal(ended.endedAt, new Date(WALL_BASE_MS + 3000).toISOString());
    assert.equal(ended.endReason, 'score');
    assert.deepEqual(started.window, { startMs: 500, endMs: 2500, numSeg: 4 });
    assert.deepEqual(
      started.top.map((t) => t.label),
      ['wave', 'run'],
    );
    assert.equal(started.modelId, 'fake@000000000000');
  });

  test('moving average over the last K windows (MMAction2 average-size)', () => {
    const d = detector({ smoothing: 3, minWindowsOn: 1 });
    // Raw 0.9 once: smoothed (0 + 0 + 0.9) / 3 = 0.3 stays below on; three 0.6 in a row reach 0.6.
    assert.deepEqual(kinds(feed(d, [0, 0, 0.9, 0, 0, 0.6, 0.6, 0.6])), ['', '', '', '', '', '', '', '+wave']);
  });
});

describe('Detector cooldown, labels, gaps', () => {
  test('cooldown: the same label cannot start again until cooldownMs after its end', () => {
    const d = detector({ cooldownMs: 2000, minWindowsOn: 1, minWindowsOff: 1 });
    // Window k ends at k*500 + 2000. The episode's last on-window is k=1 (ends 2500), so the label may
    // start again from the window ending at 4500 (k=5); k=3 and k=4 fall inside the cooldown.
    const out = feed(d, [0.9, 0.9, 0.1, 0.9, 0.9, 0.9, 0.9, 0.9]);
    assert.deepEqual(kinds(out), ['+wave', '', '-wave', '', '', '+wave', '', '']);
    assert.equal(out[2]?.[0]?.endedAtMs, WALL_BASE_MS + 2500);
    assert.equal(out[5]?.[0]?.window.endMs, 4500);
  });

  test('allow and deny lists; per-label threshold overrides', () => {
    const denyWave = detector({ labels: { allow: [], deny: ['wave', 'run'] }, minWindowsOn: 1 });
    assert.deepEqual(kinds(feed(denyWave, [0.9, 0.9])), ['', '']);
    const allowRun = detector({ labels: { allow: ['run'], deny: [] }, minWindowsOn: 1 });
    assert.deepEqual(kinds(feed(allowRun, [0.9, 0.1])), ['', '+run']);
    const strictWave = detector({ minWindowsOn: 1, perLabel: { wave: { onThreshold: 0.95 } } });
    assert.deepEqual(kinds(feed(strictWave, [0.9, 0.96])), ['', '+wave']);
  });

  test('a window gap ends open episodes with reason gap', () => {
    const d = detector({ minWindowsOn: 1 });
    feed(d, [0.9, 0.9]);
    const after = d.push(prediction('cam', 10, [0.9, 0.1, 0])).events;
    assert.deepEqual(
      after.map((e) => [e.type, e.endReason]),
      [
        ['action.ended', 'gap'],
        ['action.started', undefined],
      ],
    );
    assert.equal(after[0]?.endedAtMs, WALL_BASE_MS + 500 + 2000);
  });

  test('a stream-clock step back ends open episodes with reason restart', () => {
    const d = detector({ minWindowsOn: 1 });
    feed(d, [0.9, 0.9], 10);
    const after = d.push(prediction('cam', 0, [0.1, 0.9, 0])).events;
    assert.deepEqual(
      after.map((e) => e.endReason),
      ['restart'],
    );
  });

  test('endCamera and removeCamera end open episodes with the given reason', () => {
    const d = detector({ minWindowsOn: 1 });
    feed(d, [0.9]);
    assert.deepEqual(
      d.endCamera('cam', 'gap').map((e) => e.endReason),
      ['gap'],
    );
    assert.deepEqual(d.activeLabels('cam'), []);
    feed(d, [0.9], 1);
    assert.deepEqual(
      d.removeCamera('cam').map((e) => [e.type, e.endReason]),
      [['action.ended', 'camera-removed']],
    );
    assert.deepEqual(d.endCamera('cam', 'gap'), []);
  });
});

describe('Detector per-camera predictions', () => {
  test('per-window predictions are on by default and can be switched off per camera', () => {
    const d = new Detector(LABELS, counterIds());
    d.setCamera('on', { settings: settings(), emitPredictions: true, maxWindowGapMs: 1500 });
    d.setCamera('off', {
      settings: settings({ minWindowsOn: 1 }),
      emitPredictions: false,
      maxWindowGapMs: 1500,
    });
    assert.ok(d.push(prediction('on', 0, [0.9, 0.1, 0])).prediction);
    const off = d.push(prediction('off', 0, [0.9, 0.1, 0]));
    assert.equal(off.prediction, null);
    assert.equal(off.events.length, 1, 'events still flow for a camera without predictions');
  });
});
