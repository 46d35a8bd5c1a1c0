import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startRtspSimulator, type RtspSimulator } from '../../../simulators/rtsp-camera/index.js';
import { hasCommand, needs } from '../../helpers/tools.js';
import { ffmpegPath, gstPlays, makeTestClip, probeStream, pullFrames, type TestClip } from './helpers.js';

// Independent clients (ffprobe, ffmpeg, GStreamer) play the simulator over both transports.
describe('rtsp simulator with independent clients', { concurrency: true }, () => {
  let clip: TestClip;
  let sim: RtspSimulator;

  before(async () => {
    clip = await makeTestClip();
    sim = await startRtspSimulator({ port: 0, cameras: [{ name: 'lobby', file: clip.file }], ffmpegPath });
  });
  after(async () => {
    await sim?.close();
    await clip?.remove();
  });

  for (const transport of ['tcp', 'udp'] as const) {
    test(`ffprobe over ${transport} reads h264 320x240`, async () => {
      const probed = await probeStream(sim.url('lobby'), transport);
      assert.deepEqual(probed, { codec: 'h264', width: 320, height: 240 });
    });

    test(`ffmpeg pulls 10 frames over ${transport}`, async () => {
      const result = await pullFrames(sim.url('lobby'), transport, 10);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.frames, 10, result.stderr);
    });

    test(`gstreamer rtspsrc decodes 10 frames over ${transport}`, async (t) => {
      if (
        !needs(
          t,
          hasCommand('gst-launch-1.0', ['--version']),
          'gstreamer1.0-tools gstreamer1.0-plugins-good gstreamer1.0-libav',
        )
      ) {
        return;
      }
      const result = await gstPlays(sim.url('lobby'), transport);
      assert.ok(result.played, result.stdout + result.stderr);
    });
  }
});
