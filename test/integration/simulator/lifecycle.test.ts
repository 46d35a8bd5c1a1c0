import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startRtspSimulator } from '../../../simulators/rtsp-camera/index.js';
import { isTsnError } from '../../../src/errors/index.js';
import { ffmpegPath, makeTestClip, ffmpegChildren } from './helpers.js';
import { RawRtspClient } from './raw-client.js';
import { waitFor } from '../../helpers/wait.js';

test('an encoder that dies answers DESCRIBE with 500 at once, and the server goes on', async () => {
  const clip = await makeTestClip(1);
  // Probing (`ffmpeg -hide_banner -nostdin -i FILE`, 4 arguments) works; encoding fails.
  const fake = join(clip.file, '..', 'broken-ffmpeg.sh');
  await writeFile(
    fake,
    `#!/bin/sh\nif [ "$#" -eq 4 ]; then exec "${ffmpegPath}" "$@"; fi\necho exploded >&2\nexit 1\n`,
  );
  await chmod(fake, 0o755);
  const logs: string[] = [];
  const sim = await startRtspSimulator({
    ffmpegPath: fake,
    cameras: [{ name: 'broken', file: clip.file }],
    logger: (l) => logs.push(l),
  });
  const client = await RawRtspClient.connect(sim.port);
  try {
    const response = await client.request('DESCRIBE', sim.url('broken'), {}, 5_000);
    assert.equal(response.status, 500);
    assert.ok(
      logs.some((l) => l.includes('exploded')),
      logs.join('\n'),
    );
    assert.equal((await client.request('OPTIONS', '*')).status, 200);
  } finally {
    client.close();
    await sim.close();
    await clip.remove();
  }
  assert.deepEqual(await ffmpegChildren(), []);
});

test('a missing file or a duplicate name is refused before listening', async () => {
  await assert.rejects(
    startRtspSimulator({ ffmpegPath, cameras: [{ name: 'x', file: '/nonexistent.mp4' }] }),
    (e) => isTsnError(e, 'E_SIM_FILE'),
  );
  await assert.rejects(
    startRtspSimulator({
      ffmpegPath,
      cameras: [
        { name: 'x', file: '/a.mp4' },
        { name: 'x', file: '/b.mp4' },
      ],
    }),
    (e) => isTsnError(e, 'E_SIM_CAMERA'),
  );
});

test('close() in the middle of a resolution switch and of an idle stop leaves no ffmpeg', async () => {
  const clip = await makeTestClip(1);
  const sim = await startRtspSimulator({
    ffmpegPath,
    idleStopMs: 50,
    cameras: [
      { name: 'switching', file: clip.file },
      { name: 'idle', file: clip.file },
    ],
  });
  const watcher = await RawRtspClient.connect(sim.port);
  const describer = await RawRtspClient.connect(sim.port);
  try {
    await watcher.play(sim.url('switching'));
    await waitFor('media', () => watcher.packetCount() > 0);
    assert.equal((await describer.request('DESCRIBE', sim.url('idle'))).status, 200);
    sim.setFault('switching', { changeResolution: { width: 160, height: 128 } });
    await waitFor('two encoders for the switch', async () => (await ffmpegChildren()).length >= 2);
  } finally {
    watcher.close();
    describer.close();
    await sim.close();
    await clip.remove();
  }
  assert.deepEqual(await ffmpegChildren(), []);
});
