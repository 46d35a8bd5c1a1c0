// `npm start` as a newcomer runs it: an empty HOME, no download possible, configs/default.yaml (the demo
// model and synthetic action cameras). Checks what the first log lines say, that action events reach a
// WebSocket client with the default filter, and, against the cameras' ground truth, that they are right:
// >= 90% of scheduled actions start with the right label within one window + 2 s, <= 1 false start per
// camera-minute.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { repoRoot } from '../../helpers/paths.js';
import { hasCommand, needs, requireAll } from '../../helpers/tools.js';
import { actionsBetween, type CameraSchedule } from '../../../simulators/rtsp-camera/index.js';
import { startServe } from './serve-process.js';
import { waitFor } from '../../helpers/wait.js';

const WINDOW_MS = 4000; // configs/default.yaml defaults.windowMs
const VIDEO_MS = 80_000; // of each camera's loop, after its first frame
const demoAsset = join(repoRoot, 'assets', 'models', 'demo-actions', 'demo-actions.json');

interface StartedEvent {
  readonly type: string;
  readonly camera: string;
  readonly label: string;
  readonly startedAtMs: number;
  readonly window: { readonly startMs: number; readonly endMs: number; readonly numSeg: number };
}

/**
 * When the event fired, in wall time: startedAtMs is the wall start of the episode's first window at
 * threshold; the event fires minWindowsOn (default 2) windows later, one stride (one segment) apart.
 * (An event's `window` is in stream time, so it cannot be compared with the schedule directly.)
 */
function detectedWallMs(e: StartedEvent): number {
  const windowMs = e.window.endMs - e.window.startMs;
  return e.startedAtMs + windowMs + windowMs / e.window.numSeg;
}

export interface Score {
  readonly scheduled: number;
  readonly hit: number;
  readonly falseStarts: number;
  readonly misses: string[];
}

/**
 * A scheduled action is hit by an action.started of its label that fires between the action's start and
 * start + window + 2 s. A start that is no hit and does not fall inside an action of its label
 * (plus one window of tail) is a false start.
 */
export function scoreCamera(
  schedule: CameraSchedule,
  events: readonly StartedEvent[],
  untilWallMs: number,
): Score {
  const anchor = schedule.anchorWallMs ?? 0;
  const due = actionsBetween(schedule, anchor, anchor, untilWallMs - WINDOW_MS - 2000).filter(
    (a) => a.startWallMs >= anchor,
  );
  const starts = events.filter((e) => e.camera === schedule.camera && e.type === 'action.started');
  const used = new Set<StartedEvent>();
  const misses: string[] = [];
  for (const a of due) {
    const hit = starts.find(
      (e) =>
        !used.has(e) &&
        e.label === a.label &&
        detectedWallMs(e) >= a.startWallMs &&
        detectedWallMs(e) <= a.startWallMs + WINDOW_MS + 2000,
    );
    if (hit === undefined) misses.push(`${a.label}@${a.startWallMs - anchor}ms`);
    else used.add(hit);
  }
  const all = actionsBetween(schedule, anchor, anchor, untilWallMs + WINDOW_MS);
  const falseStarts = starts.filter(
    (e) =>
      !used.has(e) &&
      detectedWallMs(e) <= untilWallMs &&
      !all.some(
        (a) =>
          a.label === e.label &&
          detectedWallMs(e) >= a.startWallMs &&
          detectedWallMs(e) <= a.endWallMs + WINDOW_MS,
      ),
  ).length;
  return { scheduled: due.length, hit: due.length - misses.length, falseStarts, misses };
}

let recognition:
  | {
      readonly scores: readonly (ReturnType<typeof scoreCamera> & { camera: string })[];
      readonly schedules: readonly CameraSchedule[];
      readonly until: number;
    }
  | undefined;

test(
  'npm start with an empty HOME and no network: action events reach a WebSocket client with the default filter',
  {
    timeout: 600_000,
  },
  async (t) => {
    if (!needs(t, hasCommand('ffmpeg', ['-version']), 'ffmpeg')) return;
    if (!existsSync(demoAsset)) {
      const message = `demo-actions asset missing (${demoAsset}); build it with npm run build:demo-model`;
      if (requireAll) throw new Error(message);
      t.skip(message);
      return;
    }
    const home = await mkdtemp(join(tmpdir(), 'tsn-first-run-'));
    // No network: any download attempt would go to a closed proxy and fail loudly.
    const serve = startServe(['--config', 'configs/default.yaml', '--port', '0'], {
      HOME: home,
      TSN_STATE_FILE: join(home, 'state.json'),
      HTTPS_PROXY: 'http://127.0.0.1:9',
      HTTP_PROXY: 'http://127.0.0.1:9',
    });
    const events: (StartedEvent & { receivedAtMs: number })[] = [];
    let ws: WebSocket | undefined;
    try {
      const listening = await waitFor(
        'listening',
        () => serve.logs.find((l) => l.msg === 'listening'),
        120_000,
      );
      const url = listening.url as string;
      // The start-up lines follow "listening"; the last one says how to switch models and cameras.
      await waitFor('the start-up lines', () =>
        serve.logs.find((l) => String(l.msg).includes('--model tsn_k400_8')),
      );
      const messages = serve.logs.map((l) => String(l.msg));
      assert.ok(
        messages.some((m) => m.startsWith('model: demo-actions')),
        messages.join('\n'),
      );
      assert.ok(messages.includes(`dashboard: ${url}/`), messages.join('\n'));
      assert.ok(messages.some((m) => m.startsWith(`events: ${url.replace('http', 'ws')}/v1/events`)));
      assert.ok(
        messages.some((m) => m.includes('--model tsn_k400_8') && m.includes('--camera door=rtsp://')),
      );
      const groundTruth = messages
        .filter((m) => m.includes('ground truth: '))
        .map((m) => m.split('ground truth: ')[1]!.replace(/\)$/, ''));
      assert.equal(groundTruth.length, 2, messages.join('\n'));

      ws = new WebSocket(`${url.replace('http', 'ws')}/v1/events`);
      ws.on('message', (data: Buffer) => {
        const m = JSON.parse(data.toString()) as { type?: string };
        if (m.type === 'action.started' || m.type === 'action.ended')
          events.push({ ...(m as StartedEvent), receivedAtMs: Date.now() });
      });
      const readSchedule = async (path: string): Promise<CameraSchedule | undefined> => {
        try {
          const s = JSON.parse(await readFile(path, 'utf8')) as CameraSchedule;
          return s.anchorWallMs === null ? undefined : s;
        } catch {
          return undefined;
        }
      };
      const first = await waitFor(
        'the first action.started and action.ended',
        () =>
          events.some((e) => e.type === 'action.started') && events.some((e) => e.type === 'action.ended')
            ? true
            : undefined,
        300_000,
      );
      assert.equal(first, true);
      const schedules = await Promise.all(groundTruth.map((p) => waitFor(p, () => readSchedule(p))));
      const until = Math.max(...schedules.map((s) => s.anchorWallMs!)) + VIDEO_MS;
      // Stream time: wait until both cameras have played VIDEO_MS of their loops (plus a window of latency).
      await waitFor(
        'the scored stretch of video',
        () => (Date.now() > until + WINDOW_MS + 3000 ? true : undefined),
        VIDEO_MS + 120_000,
      );
      const scores = schedules.map((s) => ({ camera: s.camera, ...scoreCamera(s, events, until) }));
      t.diagnostic(JSON.stringify(scores));
      for (const s of schedules) {
        const seen = events
          .filter((e) => e.camera === s.camera && e.type === 'action.started')
          .map((e) => e as StartedEvent & { receivedAtMs: number })
          .map(
            (e) =>
              `${e.label}@${Math.round(detectedWallMs(e) - s.anchorWallMs!)}` +
              `(+${Math.round(e.receivedAtMs - detectedWallMs(e))} ms to the client)`,
          );
        t.diagnostic(`${s.camera} starts (firing time - loop anchor, ms): ${seen.join(' ')}`);
      }
      const scheduled = scores.reduce((n, s) => n + s.scheduled, 0);
      assert.ok(scheduled >= 8, `only ${scheduled} actions scheduled in the scored stretch`);
      recognition = { scores, schedules, until };
      // Whether the pipeline kept up (a loaded machine drops frames or windows rather than lag): shown, so a
      // recognition failure can be told apart from lost windows.
      const metrics = await (await fetch(`${url}/metrics`)).text();
      t.diagnostic(
        metrics
          .split('\n')
          .filter((l) =>
            /^tsn_(camera_queue_drops_total|head_dropped_total|windows_abandoned_total|camera_predictions_total)/.test(
              l,
            ),
          )
          .join(', '),
      );
      assert.ok(!serve.stderr().includes('E_MODEL_OFFLINE'), serve.stderr());
    } finally {
      ws?.close();
      serve.child.kill('SIGTERM');
      const code = await serve.exited;
      await rm(home, { recursive: true, force: true });
      assert.equal(code, 0, serve.stderr());
    }
  },
);

// The must-show of issue 9, on the figures the npm start test gathered. Fails when recognition is broken: a
// model that sees only one label, or labels in the wrong order, hits at most a fifth of the actions.
// Measured here (2 cores, other tests running): 12/12 actions, 0 and 0 false starts (wave needs 5 windows
// in default.yaml: the arms rising into jumping jacks read as wave, 3 false starts at 2); pipeline drops 0. Causes fixed for it: the demo model's head rows were out of
// label order, it was trained on 160x120 clips from an action's first frame (now live-size 4 s windows), the
// action clips had B-frames that the live decoder showed out of order, walk starts at 0.3 (default.yaml).
test('the demo recognises >= 90% of scheduled actions within a window + 2 s, <= 1 false start per camera-minute', () => {
  assert.ok(recognition !== undefined, 'the npm start test did not get that far');
  const { scores, schedules, until } = recognition;
  const scheduled = scores.reduce((n, s) => n + s.scheduled, 0);
  const hit = scores.reduce((n, s) => n + s.hit, 0);
  assert.ok(hit >= 0.9 * scheduled, `${hit}/${scheduled} actions recognised: ${JSON.stringify(scores)}`);
  for (const s of scores) {
    const minutes = (until - schedules.find((x) => x.camera === s.camera)!.anchorWallMs!) / 60_000;
    assert.ok(
      s.falseStarts <= Math.max(1, minutes),
      `${s.camera}: ${s.falseStarts} false starts in ${minutes.toFixed(1)} min`,
    );
  }
});
