import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startupBanner } from '../../../src/service/banner.js';

const base = { url: 'http://127.0.0.1:8080', webSocketPath: '/v1/events', clipsDir: '/c/sim' };

test('the demo banner names the model, cameras with their ground truth, URLs and how to switch', () => {
  const lines = startupBanner({
    ...base,
    model: { name: 'demo-actions' },
    cameras: [
      { id: 'lobby', url: 'sim://lobby?actions=1', enabled: true },
      { id: 'door', url: 'rtsp://admin:secret@cam/s1', enabled: false },
    ],
  });
  assert.match(lines[0]!, /^model: demo-actions \(offline demo/);
  assert.ok(
    lines.includes(
      `camera lobby: sim://lobby?actions=1 (synthetic actions, seed 1; ground truth: ${join('/c/sim', 'schedules', 'lobby.json')})`,
    ),
  );
  assert.ok(
    lines.some(
      (l) => l.startsWith('camera door: rtsp://') && l.endsWith('(disabled)') && !l.includes('secret'),
    ),
  );
  assert.ok(lines.includes('dashboard: http://127.0.0.1:8080/'));
  assert.ok(lines.some((l) => l.startsWith('events: ws://127.0.0.1:8080/v1/events')));
  assert.ok(lines.some((l) => l.includes('--model tsn_k400_8') && l.includes('--camera door=rtsp://')));
});

test('with a real model there is no switching hint, and no WebSocket line when it is off', () => {
  const lines = startupBanner({ ...base, webSocketPath: null, model: { dir: '/m/k400' }, cameras: [] });
  assert.equal(lines[0], 'model: /m/k400');
  assert.ok(!lines.some((l) => l.startsWith('events:') || l.includes('tsn_k400_8')));
});
