import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';
import { loadConfig } from '../../../src/config/index.js';
import { silentLogger } from '../../../src/publish/logger.js';
import { RecentEventRing } from '../../../src/service/event-ring.js';
import { createPublishers } from '../../../src/service/publishers.js';

const token = 'websocket-token-0123456789';

function upgradeStatus(url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once('open', () => {
      ws.close();
      resolve(101);
    });
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.once('error', reject);
  });
}

test('server.auth.protectWebSocket: the upgrade needs the bearer token (header or ?token=)', async () => {
  const config = loadConfig({
    text: `server: { auth: { token: ${token}, protectWebSocket: true } }\nwebsocket: { path: /ws }\n`,
    env: {},
  });
  const server = createServer();
  const publishers = createPublishers(config, { server, ring: new RecentEventRing(4), logger: silentLogger });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/ws`;
  try {
    assert.equal(publishers.nats, undefined, 'no nats.url: no NATS');
    assert.equal(await upgradeStatus(base), 401);
    assert.equal(await upgradeStatus(base, { authorization: 'Bearer wrong-token' }), 401);
    assert.equal(await upgradeStatus(base, { authorization: `Bearer ${token}` }), 101);
    assert.equal(await upgradeStatus(`${base}?token=${token}`), 101);
  } finally {
    await publishers.close(0);
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
});

test('without protectWebSocket the upgrade is open even when a token is set', async () => {
  const config = loadConfig({ text: `server: { auth: { token: ${token} } }\n`, env: {} });
  const server = createServer();
  const publishers = createPublishers(config, { server, ring: new RecentEventRing(4), logger: silentLogger });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    assert.equal(
      await upgradeStatus(`ws://127.0.0.1:${(server.address() as AddressInfo).port}/v1/events`),
      101,
    );
  } finally {
    await publishers.close(0);
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
});
