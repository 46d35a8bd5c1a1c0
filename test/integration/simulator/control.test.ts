import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startRtspSimulator } from '../../../simulators/rtsp-camera/index.js';
import { startControlServer } from '../../../simulators/rtsp-camera/control-server.js';
import { ffmpegPath, makeTestClip } from './helpers.js';
import { RawRtspClient } from './raw-client.js';

test('the HTTP control endpoint sets and clears faults at run time', async () => {
  const clip = await makeTestClip(1);
  const sim = await startRtspSimulator({ ffmpegPath, cameras: [{ name: 'lobby', file: clip.file }] });
  const control = await startControlServer(sim, '127.0.0.1', 0);
  const base = `http://127.0.0.1:${control.port}`;
  const client = await RawRtspClient.connect(sim.port);
  try {
    const cameras = await fetch(`${base}/cameras`);
    assert.deepEqual(await cameras.json(), [{ name: 'lobby', url: sim.url('lobby') }]);

    const set = await fetch(`${base}/faults/lobby`, {
      method: 'POST',
      body: JSON.stringify({ refuse: true }),
    });
    assert.equal(set.status, 200);
    assert.equal((await client.request('DESCRIBE', sim.url('lobby'))).status, 503);

    const cleared = await fetch(`${base}/faults/lobby`, { method: 'DELETE' });
    assert.equal(cleared.status, 200);
    assert.equal((await client.request('DESCRIBE', sim.url('lobby'))).status, 200);

    const bad = await fetch(`${base}/faults/lobby`, { method: 'POST', body: '{"packetLossPercent": 300}' });
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as { code: string }).code, 'E_SIM_ARGS');
    const notJson = await fetch(`${base}/faults/lobby`, { method: 'POST', body: 'stall' });
    assert.equal(notJson.status, 400);
    const unknown = await fetch(`${base}/faults/nobody`, { method: 'POST', body: '{"stall": true}' });
    assert.equal(unknown.status, 404);
    assert.equal(((await unknown.json()) as { code: string }).code, 'E_SIM_CAMERA');
  } finally {
    client.close();
    await control.close();
    await sim.close();
    await clip.remove();
  }
});
