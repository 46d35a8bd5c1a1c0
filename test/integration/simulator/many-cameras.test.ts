import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startRtspSimulator, type RtspSimulator } from '../../../simulators/rtsp-camera/index.js';
import { ffmpegChildren, ffmpegPath, makeTestClip, pullFrames, type TestClip } from './helpers.js';

const cameraCount = 8;

describe('rtsp simulator with eight cameras', () => {
  let clip: TestClip;
  let sim: RtspSimulator;
  const names = Array.from({ length: cameraCount }, (_, i) => `cam-${i + 1}`);

  before(async () => {
    clip = await makeTestClip();
    sim = await startRtspSimulator({
      port: 0,
      ffmpegPath,
      cameras: names.map((name) => ({ name, file: clip.file })),
    });
  });
  after(async () => {
    await sim?.close();
    await clip?.remove();
  });

  test('ffmpeg pulls 5 frames from each of 8 cameras in parallel', async () => {
    const results = await Promise.all(names.map((name) => pullFrames(sim.url(name), 'tcp', 5)));
    results.forEach((result, i) => {
      assert.equal(result.code, 0, `${names[i]}: ${result.stderr}`);
      assert.equal(result.frames, 5, `${names[i]}: ${result.stderr}`);
    });
  });

  test('close() leaves no ffmpeg child behind', async () => {
    // The reader of the previous test idles for a grace period; it must be running now. An H.264 file at
    // its own size is passed through, not re-encoded: the 8 cameras of one file share one ffmpeg.
    const running = await ffmpegChildren();
    assert.equal(running.length, 1, `expected one shared passthrough reader, saw ${running.length} ffmpeg`);
    await sim.close();
    assert.deepEqual(await ffmpegChildren(), []);
    for (const pid of running) assert.equal(isAlive(pid), false, `ffmpeg ${pid} survived close()`);
  });
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
