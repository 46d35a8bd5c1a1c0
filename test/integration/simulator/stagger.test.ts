import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startRtspSimulator, type RtspSimulator } from '../../../simulators/rtsp-camera/index.js';
import { isTsnError } from '../../../src/errors/index.js';
import { ffmpegChildren, ffmpegPath, makeTestClip, type TestClip } from './helpers.js';
import { RawRtspClient } from './raw-client.js';
import { waitFor } from '../../helpers/wait.js';

const delayMs = 700;
const rtpHeaderBytes = 12;

// Two cameras of one file share one reader, so their units leave it in the same instant; the delayed
// one must serve each of them delayMs later (its keyframes out of step, as a real camera's would be).
describe('rtsp simulator: a camera delayed by delayMs', () => {
  let clip: TestClip;
  let sim: RtspSimulator;
  const logs: string[] = [];

  before(async () => {
    clip = await makeTestClip(3);
    sim = await startRtspSimulator({
      port: 0,
      ffmpegPath,
      logger: (line) => logs.push(line),
      cameras: [
        { name: 'now', file: clip.file },
        { name: 'later', file: clip.file, delayMs },
      ],
    });
  });
  after(async () => {
    await sim?.close();
    await clip?.remove();
  });

  test('serves the same units as its undelayed twin, each about delayMs after it', async (t) => {
    const now = await RawRtspClient.connect(sim.port);
    const later = await RawRtspClient.connect(sim.port);
    try {
      await Promise.all([now.play(sim.url('now')), later.play(sim.url('later'))]);
      // Large packets are slices of distinct frames (testsrc2 moves every frame): they pair up by content.
      const large = (client: RawRtspClient) =>
        client.packets.filter((p) => p.channel === 0 && p.data.length > 600);
      // The delayed camera's first GOP may have been read before the other client played: no twin.
      await waitFor('100 large packets on the delayed camera', () => large(later).length >= 100, 30_000);
      const sent = new Map<string, number[]>();
      for (const p of large(now)) {
        const key = p.data.subarray(rtpHeaderBytes).toString('base64');
        sent.set(key, [...(sent.get(key) ?? []), p.atMs]);
      }
      const lags = large(later).flatMap((p) => {
        const times = sent.get(p.data.subarray(rtpHeaderBytes).toString('base64')) ?? [];
        const twin = times.filter((t) => t <= p.atMs).at(-1);
        return twin === undefined ? [] : [p.atMs - twin];
      });
      assert.ok(lags.length >= 40, `${lags.length} packets paired`);
      lags.sort((a, b) => a - b);
      t.diagnostic(`${lags.length} paired, lag min ${lags[0]} ms, max ${lags.at(-1)} ms`);
      // Never early (a margin for the client reading the two sockets in turn); the median near delayMs.
      assert.ok(lags[0]! >= delayMs * 0.8, `earliest lag ${lags[0]} ms`);
      const median = lags[Math.floor(lags.length / 2)]!;
      assert.ok(median < delayMs + 1000, `median lag ${median} ms`);
      assert.equal(logs.filter((l) => l.includes('passthrough reader pid')).length, 1, logs.join('\n'));
    } finally {
      now.close();
      later.close();
    }
  });

  test('a delay outside 0-10000 ms is refused with E_SIM_ARGS', async () => {
    for (const bad of [-1, 10_001, 2.5]) {
      await assert.rejects(
        startRtspSimulator({ port: 0, ffmpegPath, cameras: [{ name: 'x', file: clip.file, delayMs: bad }] }),
        (e: unknown) => isTsnError(e) && e.code === 'E_SIM_ARGS' && e.message.includes('camera x'),
      );
    }
  });

  test('close() leaves no ffmpeg child behind', async () => {
    await sim.close();
    assert.deepEqual(await ffmpegChildren(), []);
  });
});
