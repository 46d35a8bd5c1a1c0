// A synthetic action camera end to end in the simulator: the seeded loop is rendered once and cached, a
// real RTSP client plays it, and the control API's schedule is anchored at the loop's first frame.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ensureActionClip,
  planActionClip,
  startRtspSimulator,
  type CameraSchedule,
} from '../../../simulators/rtsp-camera/index.js';
import { startControlServer } from '../../../simulators/rtsp-camera/control-server.js';
import { ffmpegPath } from './helpers.js';

function playSeconds(url: string, seconds: number): Promise<number | null> {
  const child = spawn(
    ffmpegPath,
    ['-loglevel', 'error', '-rtsp_transport', 'tcp', '-i', url, '-t', String(seconds), '-f', 'null', '-'],
    { stdio: 'ignore' },
  );
  return new Promise((resolve) => child.once('exit', resolve));
}

test(
  'an action camera serves its rendered loop and its wall-clock schedule',
  { timeout: 180_000 },
  async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tsn-action-cam-'));
    const options = { ffmpegPath, dir, seed: 5, minLoopMs: 20_000, width: 160, height: 120, fps: 10 };
    try {
      const clip = await ensureActionClip(options);
      assert.deepEqual(clip, planActionClip(options));
      const rendered = await stat(clip.file);
      // Cached: a second call renders nothing (same file, same modification time).
      assert.equal((await stat((await ensureActionClip(options)).file)).mtimeMs, rendered.mtimeMs);

      const sim = await startRtspSimulator({
        ffmpegPath,
        cameras: [{ name: 'lobby', file: clip.file, schedule: clip.schedule }],
      });
      const control = await startControlServer(sim, '127.0.0.1', 0);
      const base = `http://127.0.0.1:${control.port}`;
      try {
        const before = (await (await fetch(`${base}/cameras/lobby/schedule`)).json()) as CameraSchedule;
        assert.equal(before.anchorWallMs, null);
        assert.deepEqual(before.actions, clip.schedule.actions);
        assert.equal(before.loopMs, clip.schedule.loopMs);

        const playStartMs = Date.now();
        assert.equal(await playSeconds(sim.url('lobby'), 2), 0);
        const after = (await (await fetch(`${base}/cameras/lobby/schedule`)).json()) as CameraSchedule & {
          wall: { label: string; startWallMs: number }[];
        };
        assert.ok(after.anchorWallMs !== null && after.anchorWallMs >= playStartMs);
        assert.equal(after.wall[0]?.startWallMs, after.anchorWallMs + clip.schedule.actions[0]!.startMs);
        assert.equal((await fetch(`${base}/cameras/nobody/schedule`)).status, 404);
      } finally {
        await control.close();
        await sim.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
);
