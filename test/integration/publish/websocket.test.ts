// The WebSocket hub on a real node http server with real `ws` clients (and raw sockets where a client must
// misbehave): filters, schema-valid identical JSON, auth, heartbeats, slow consumers, shutdown.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import Fastify from 'fastify';
import { connect as tcpConnect, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import {
  createWebSocketHub,
  type WebSocketHub,
  type WebSocketHubOptions,
} from '../../../src/publish/websocket/hub.js';
import { bearerTokenAuthorizer } from '../../../src/publish/websocket/auth.js';
import { WS_CLOSE } from '../../../src/publish/websocket/close-codes.js';
import { encodeWire, toWireEvent } from '../../../src/publish/wire.js';
import { assertMatchesSchema } from '../../helpers/json-schema.js';
import { endedEvent, sampleEvent, samplePrediction, sampleStatuses } from '../../unit/publish/samples.js';
import { HttpRejection, openClient, type TestClient } from './ws-client.js';
import { waitFor } from '../../helpers/wait.js';

interface Rig {
  server: Server;
  hub: WebSocketHub;
  url: (query?: string) => string;
  close: () => Promise<void>;
}

async function startRig(options: Partial<WebSocketHubOptions> = {}): Promise<Rig> {
  const server = createServer((_req, res) => res.writeHead(404).end());
  const hub = createWebSocketHub({ server, path: '/v1/events', maxBufferedBytes: 256 * 1024, ...options });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    server,
    hub,
    url: (query = '') => `ws://127.0.0.1:${port}/v1/events${query === '' ? '' : `?${query}`}`,
    close: async () => {
      await hub.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function portOf(rig: Rig): number {
  const address = rig.server.address();
  return typeof address === 'object' && address !== null ? address.port : 0;
}

/** Completes a WebSocket upgrade by hand and then never answers a frame (a dead peer for heartbeats). */
async function rawUpgrade(port: number, path = '/v1/events'): Promise<{ socket: Socket; response: string }> {
  const socket = tcpConnect(port, '127.0.0.1');
  socket.write(
    [
      `GET ${path} HTTP/1.1`,
      'Host: 127.0.0.1',
      'Upgrade: websocket',
      'Connection: Upgrade',
      `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
      'Sec-WebSocket-Version: 13',
      '',
      '',
    ].join('\r\n'),
  );
  const response = await new Promise<string>((resolve, reject) => {
    socket.once('data', (d: Buffer) => resolve(d.toString('latin1')));
    socket.once('error', reject);
  });
  socket.on('data', () => undefined); // read and ignore: pings are never answered
  return { socket, response };
}

const events = {
  cam1Falling: sampleEvent({ id: 'e1', camera: 'cam-1', label: 'falling', score: 0.9 }),
  cam1Ended: endedEvent({ id: 'e2', camera: 'cam-1', label: 'falling' }),
  cam2Waving: sampleEvent({ id: 'e3', camera: 'cam-2', label: 'waving', score: 0.6 }),
  cam2WavingLow: sampleEvent({ id: 'e4', camera: 'cam-2', label: 'waving', score: 0.3 }),
};

const ids = (c: TestClient): unknown[] => c.messages.map((m) => m.id ?? `${m.type}:${m.camera}`);

describe('WebSocket hub', () => {
  let rig: Rig;
  before(async () => {
    rig = await startRig();
  });
  after(() => rig.close());

  test('query-string filters select cameras, labels, types and min score', async () => {
    const byCamera = await openClient(rig.url('cameras=cam-1&types=action.started'));
    const byLabel = await openClient(rig.url('labels=waving&minScore=0.5'));
    const everything = await openClient(rig.url('types=action.started,action.ended,prediction,status'));
    const defaults = await openClient(rig.url());
    for (const e of Object.values(events)) rig.hub.publishEvent(e);
    rig.hub.publishPrediction(samplePrediction());
    rig.hub.publishStatus('cam-2', sampleStatuses[1]!);
    for (const c of [byCamera, byLabel, everything, defaults]) await c.barrier();

    assert.deepEqual(ids(byCamera), ['e1']);
    assert.deepEqual(ids(byLabel), ['e3']);
    assert.deepEqual(ids(everything), ['e1', 'e2', 'e3', 'e4', 'prediction:cam-1', 'status:cam-2']);
    assert.deepEqual(ids(defaults), ['e1', 'e2', 'e3', 'e4']);
    for (const c of [byCamera, byLabel, everything, defaults]) c.ws.close();
  });

  test('messages are schema-valid and byte-identical to what NATS publishes', async () => {
    const c = await openClient(rig.url('types=action.started,action.ended,prediction,status'));
    rig.hub.publishEvent(events.cam1Falling);
    rig.hub.publishEvent(events.cam1Ended);
    rig.hub.publishPrediction(samplePrediction());
    for (const s of sampleStatuses) rig.hub.publishStatus('cam-1', s);
    await c.barrier();
    assert.equal(c.texts[0], encodeWire(toWireEvent(events.cam1Falling)).toString('utf8'));
    assertMatchesSchema('event', c.messages[0]);
    assertMatchesSchema('event', c.messages[1]);
    assertMatchesSchema('prediction', c.messages[2]);
    for (const m of c.messages.slice(3)) assertMatchesSchema('status', m);
    assert.equal(c.messages.length, 3 + sampleStatuses.length);
    c.ws.close();
  });

  test('a subscribe message replaces the filter', async () => {
    const c = await openClient(rig.url());
    const ack = await c.subscribe({ types: ['status'], cameras: ['cam-2'] });
    assert.deepEqual(ack.filter, { cameras: ['cam-2'], labels: [], types: ['status'], minScore: 0 });
    rig.hub.publishStatus('cam-1', sampleStatuses[0]!);
    rig.hub.publishStatus('cam-2', sampleStatuses[0]!);
    rig.hub.publishEvent(events.cam2Waving);
    await c.barrier();
    assert.deepEqual(ids(c), ['status:cam-2']);
    c.ws.close();
  });

  test('an invalid filter in the query gets an error message and close code 4400', async () => {
    const c = await openClient(rig.url('types=bogus'));
    const closed = await c.closed;
    assert.equal(closed.code, WS_CLOSE.invalidRequest);
    assert.equal(c.controls[0]?.op, 'error');
    assert.equal(c.controls[0]?.error, 'invalid-request');
    assert.equal(rig.hub.clients(), 0);
  });

  test('an invalid subscribe message gets an error message and close code 4400', async () => {
    const c = await openClient(rig.url());
    c.ws.send('{"op":"subscribe","minScore":7}');
    const error = await c.nextControl('error');
    assert.equal(error.error, 'invalid-request');
    assert.equal((await c.closed).code, WS_CLOSE.invalidRequest);
  });

  test('an upgrade on another path is answered 404', async () => {
    const { socket, response } = await rawUpgrade(portOf(rig), '/v1/other');
    assert.match(response, /^HTTP\/1\.1 404/);
    socket.destroy();
  });
});

describe('WebSocket hub admission', () => {
  test('the authorize hook rejects the upgrade with 401; bearer header or ?token= pass', async (t) => {
    const rig = await startRig({ authorize: bearerTokenAuthorizer(['s3cret']) });
    t.after(() => rig.close());
    for (const [query, headers] of [
      ['', {}],
      ['token=wrong', {}],
      ['', { Authorization: 'Bearer wrong' }],
      ['', { Authorization: 'Basic czNjcmV0' }],
    ] as const) {
      await assert.rejects(
        openClient(rig.url(query), headers),
        (e: unknown) => e instanceof HttpRejection && e.status === 401,
      );
    }
    const viaHeader = await openClient(rig.url(), { Authorization: 'Bearer s3cret' });
    const viaQuery = await openClient(rig.url('token=s3cret&cameras=cam-1'));
    assert.equal(rig.hub.clients(), 2);
    assert.equal(rig.hub.stats().unauthorized, 4);
    rig.hub.publishEvent(events.cam1Falling);
    await viaQuery.barrier();
    assert.deepEqual(ids(viaQuery), ['e1']);
    viaHeader.ws.close();
    viaQuery.ws.close();
  });

  test('an authorize hook that throws answers 500 and keeps the hub serving', async (t) => {
    const rig = await startRig({
      authorize: () => {
        throw new Error('auth backend down');
      },
    });
    t.after(() => rig.close());
    await assert.rejects(
      openClient(rig.url()),
      (e: unknown) => e instanceof HttpRejection && e.status === 500,
    );
    assert.equal(rig.hub.clients(), 0);
  });

  test('upgrades beyond maxClients are answered 503', async (t) => {
    const rig = await startRig({ maxClients: 1 });
    t.after(() => rig.close());
    const first = await openClient(rig.url());
    await assert.rejects(
      openClient(rig.url()),
      (e: unknown) => e instanceof HttpRejection && e.status === 503,
    );
    assert.equal(rig.hub.stats().rejectedFull, 1);
    first.ws.close();
  });
});

describe('WebSocket hub liveness and back-pressure', () => {
  test('a client that never answers pings is terminated; a live one stays', async (t) => {
    const rig = await startRig({ pingIntervalMs: 50 });
    t.after(() => rig.close());
    const live = await openClient(rig.url());
    const dead = await rawUpgrade(portOf(rig));
    assert.match(dead.response, /^HTTP\/1\.1 101/);
    await waitFor('both clients registered', () => rig.hub.clients() === 2);
    const gone = new Promise<void>((resolve) => dead.socket.once('close', () => resolve()));
    await gone;
    assert.equal(rig.hub.stats().heartbeatTimeouts, 1);
    assert.equal(rig.hub.clients(), 1);
    rig.hub.publishEvent(events.cam1Falling);
    await live.barrier();
    assert.deepEqual(ids(live), ['e1']);
    live.ws.close();
  });

  test('a slow client is cut off with 4008 while a fast one receives every message', async (t) => {
    const rig = await startRig({ maxBufferedBytes: 128 * 1024 });
    t.after(() => rig.close());
    const fast = await openClient(rig.url());
    const slow = await openClient(rig.url());
    const slowSocket = (slow.ws as unknown as { _socket: Socket })._socket;
    slowSocket.pause();

    // ~2 KB per message; the kernel's loopback buffers absorb a few MB before the hub's limit is reached.
    const top = Array.from({ length: 40 }, (_, i) => ({ index: i, label: `label-number-${i}`, score: 0.01 }));
    let sent = 0;
    while (rig.hub.stats().slowConsumerDisconnects === 0) {
      assert.ok(sent < 20_000, 'the slow client was never cut off');
      for (let i = 0; i < 20; i += 1) {
        rig.hub.publishEvent(sampleEvent({ id: `bulk-${sent}`, top }));
        sent += 1;
      }
      await new Promise((r) => setImmediate(r)); // let the fast client read
    }
    for (let i = 0; i < 10; i += 1) rig.hub.publishEvent(sampleEvent({ id: `after-${i}`, top }));
    sent += 10;
    await fast.barrier(20_000);
    assert.equal(fast.messages.length, sent);
    assert.equal(fast.messages.at(-1)?.id, 'after-9');
    assert.equal(rig.hub.clients(), 1);

    slowSocket.resume();
    const closed = await slow.closed;
    assert.equal(closed.code, WS_CLOSE.slowConsumer);
    assert.equal(closed.reason, 'slow consumer');
    assert.ok(slow.messages.length < sent);
    fast.ws.close();
  });

  test('close() closes every client with 1001 and stops accepting upgrades', async () => {
    const rig = await startRig();
    const a = await openClient(rig.url());
    const b = await openClient(rig.url('types=status'));
    await rig.hub.close();
    assert.equal((await a.closed).code, WS_CLOSE.goingAway);
    assert.equal((await b.closed).code, WS_CLOSE.goingAway);
    assert.equal(rig.hub.clients(), 0);
    assert.equal(rig.server.listenerCount('upgrade'), 0);
    await rig.close();
  });
});

describe('WebSocket hub on fastify', () => {
  test("attaches to fastify's app.server without disturbing its routes", async (t) => {
    const app = Fastify();
    app.get('/healthz', async () => ({ ok: true }));
    const hub = createWebSocketHub({ server: app.server, path: '/v1/events' });
    t.after(async () => {
      await hub.close();
      await app.close();
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    const client = await openClient(`ws://127.0.0.1:${port}/v1/events?cameras=cam-1`);
    hub.publishEvent(events.cam1Falling);
    await client.barrier();
    assert.deepEqual(ids(client), ['e1']);
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    assert.deepEqual(await health.json(), { ok: true });
    client.ws.close();
  });
});
