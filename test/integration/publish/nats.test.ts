// The NATS publisher against a real nats-server (JetStream on, own port and store): delivery to core
// subscribers and to the stream, durable consumers, dedupe by Nats-Msg-Id, and a server killed mid-run.
import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AckPolicy, connect, nkeys, type JetStreamManager, type Msg, type NatsConnection } from 'nats';
import {
  createNatsPublisher,
  type NatsPublisher,
  type NatsPublisherOptions,
} from '../../../src/publish/nats/publisher.js';
import { needs } from '../../helpers/tools.js';
import {
  freePort,
  hasNatsServer,
  startNatsServer,
  type NatsServerHandle,
} from '../../helpers/nats-server.js';
import { assertMatchesSchema } from '../../helpers/json-schema.js';
import { sampleEvent, samplePrediction, sampleStatuses } from '../../unit/publish/samples.js';
import { collect } from './support.js';
import { waitFor } from '../../helpers/wait.js';

const natsAvailable = hasNatsServer();

interface Rig {
  server: NatsServerHandle;
  publisher: NatsPublisher;
  client: NatsConnection;
  jsm: JetStreamManager;
}

async function rig(t: TestContext, extra: Partial<NatsPublisherOptions> = {}): Promise<Rig> {
  const server = await startNatsServer();
  t.after(() => server.cleanup());
  const publisher = createNatsPublisher({
    servers: server.url,
    prefix: 'actions',
    jetstream: { enabled: true, stream: 'ACTIONS' },
    maxBufferedMessages: 100,
    publishTimeoutMs: 1000,
    retryDelayMs: 50,
    reconnectTimeWaitMs: 50,
    ...extra,
  });
  t.after(() => publisher.close());
  const client = await connect({ servers: server.url, reconnectTimeWait: 50, maxReconnectAttempts: -1 });
  t.after(() => client.close());
  await waitFor('the ACTIONS stream', () => publisher.stats().streamReady);
  return { server, publisher, client, jsm: await client.jetstreamManager() };
}

async function streamIds(jsm: JetStreamManager, stream = 'ACTIONS'): Promise<string[]> {
  const info = await jsm.streams.info(stream);
  const ids: string[] = [];
  for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq += 1) {
    const m = await jsm.streams.getMessage(stream, { seq });
    ids.push((m.json() as { id: string }).id);
  }
  return ids;
}

const ev = (n: number) => sampleEvent({ id: `evt-${n}`, episodeId: `ep-${n}` });

describe('NATS publisher (real nats-server)', () => {
  test('events reach core subscribers and the JetStream stream; predictions and status stay on core', async (t) => {
    if (!needs(t, natsAvailable, 'nats-server')) return;
    const { publisher, client, jsm } = await rig(t);
    const received = collect<Msg>(3);
    const sub = client.subscribe('actions.>', { callback: (_e, m) => received.push(m) });
    await client.flush();

    publisher.publishEvent(sampleEvent({ camera: 'front door', label: 'falling' }));
    publisher.publishPrediction(samplePrediction());
    publisher.publishStatus('cam-1', sampleStatuses[1]!);
    const msgs = await received.done;
    sub.unsubscribe();

    const bySubject = new Map(msgs.map((m) => [m.subject, m]));
    const event = bySubject.get('actions.events.front_door.falling');
    assert.ok(event, `subjects: ${[...bySubject.keys()].join(', ')}`);
    assert.equal(event.headers?.get('Nats-Msg-Id'), 'evt-0001');
    assertMatchesSchema('event', event.json());
    assertMatchesSchema('prediction', bySubject.get('actions.predictions.cam-1')?.json());
    assertMatchesSchema('status', bySubject.get('actions.status.cam-1')?.json());

    assert.ok(await publisher.flush(5000));
    assert.deepEqual(await streamIds(jsm), ['evt-0001']);
    const info = await jsm.streams.info('ACTIONS');
    assert.deepEqual(info.config.subjects, ['actions.events.>']);
  });

  test('a durable consumer created later gets every event; a re-published event is stored once', async (t) => {
    if (!needs(t, natsAvailable, 'nats-server')) return;
    const { publisher, client, jsm } = await rig(t);
    for (const n of [1, 2, 3]) publisher.publishEvent(ev(n));
    publisher.publishEvent(ev(2)); // same id: JetStream must drop it
    assert.ok(await publisher.flush(5000));
    assert.equal(publisher.stats().duplicates, 1);
    assert.equal(publisher.stats().publishedEvents, 4);

    await jsm.consumers.add('ACTIONS', { durable_name: 'late-alerts', ack_policy: AckPolicy.Explicit });
    const consumer = await client.jetstream().consumers.get('ACTIONS', 'late-alerts');
    const ids: string[] = [];
    assert.deepEqual(await streamIds(jsm), ['evt-1', 'evt-2', 'evt-3']);
    const batch = await consumer.fetch({ max_messages: 3, expires: 5000 });
    for await (const m of batch) {
      assertMatchesSchema('event', m.json());
      ids.push((m.json() as { id: string }).id);
      m.ack();
    }
    assert.deepEqual(ids, ['evt-1', 'evt-2', 'evt-3']);
  });

  test('survives a killed server: buffered events arrive after restart, in order, none duplicated', async (t) => {
    if (!needs(t, natsAvailable, 'nats-server')) return;
    const { server, publisher } = await rig(t, { maxBufferedMessages: 5 });
    for (const n of [1, 2, 3]) publisher.publishEvent(ev(n));
    assert.ok(await publisher.flush(5000));

    await server.kill();
    await waitFor('the publisher to notice the dead server', () => !publisher.stats().connected);
    for (let n = 4; n <= 10; n += 1) publisher.publishEvent(ev(n));
    for (let n = 0; n < 6; n += 1) publisher.publishPrediction(samplePrediction());
    const down = publisher.stats();
    assert.equal(down.bufferedEvents, 5);
    assert.equal(down.droppedEvents, 2); // evt-4 and evt-5: oldest first
    assert.equal(down.buffered, 10); // 5 events + 5 predictions
    assert.equal(down.dropped, 3); // 2 events + 1 prediction

    await server.restart();
    await waitFor(
      'the backlog',
      () => publisher.stats().connected && publisher.stats().buffered === 0,
      15_000,
    );
    const checker = await connect({ servers: server.url });
    t.after(() => checker.close());
    const ids = await streamIds(await checker.jetstreamManager());
    assert.deepEqual(ids, ['evt-1', 'evt-2', 'evt-3', 'evt-6', 'evt-7', 'evt-8', 'evt-9', 'evt-10']);
    assert.equal(new Set(ids).size, ids.length);
  });

  test('a publish whose ack is lost (hung server) is retried with the same msgID and stored once', async (t) => {
    if (!needs(t, natsAvailable, 'nats-server')) return;
    const { server, publisher, jsm } = await rig(t, { publishTimeoutMs: 200, retryDelayMs: 20 });
    await server.freeze();
    publisher.publishEvent(ev(1));
    await waitFor(
      () => `publish timeouts while the server is frozen: ${JSON.stringify(publisher.stats())}`,
      () => publisher.stats().publishFailures >= 2,
    );
    assert.equal(publisher.stats().bufferedEvents, 1);
    server.thaw();
    await waitFor('the retry to be acked', () => publisher.stats().bufferedEvents === 0);
    // The server stored the first attempt when it woke; later attempts were acked as duplicates.
    assert.ok(publisher.stats().duplicates >= 1);
    assert.deepEqual(await streamIds(jsm), ['evt-1']);
  });

  test('close() gives queued events a bounded chance to reach the stream', async (t) => {
    if (!needs(t, natsAvailable, 'nats-server')) return;
    const { publisher, jsm } = await rig(t);
    for (const n of [1, 2, 3]) publisher.publishEvent(ev(n));
    await Promise.all([publisher.close(), publisher.close()]);
    assert.equal(publisher.stats().connection.state, 'closed');
    assert.deepEqual(await streamIds(jsm), ['evt-1', 'evt-2', 'evt-3']);
  });

  test('a stream deleted while running is re-created and the waiting event stored', async (t) => {
    if (!needs(t, natsAvailable, 'nats-server')) return;
    const { publisher, jsm } = await rig(t);
    publisher.publishEvent(ev(1));
    assert.ok(await publisher.flush(5000));
    await jsm.streams.delete('ACTIONS');
    publisher.publishEvent(ev(2));
    assert.ok(await publisher.flush(10_000));
    assert.deepEqual(await streamIds(jsm), ['evt-2']);
  });

  test('events published before the server exists are delivered once it starts', async (t) => {
    if (!needs(t, natsAvailable, 'nats-server')) return;
    const port = await freePort();
    const publisher = createNatsPublisher({
      servers: `nats://127.0.0.1:${port}`,
      jetstream: { enabled: true },
      maxBufferedMessages: 10,
      reconnectTimeWaitMs: 50,
      retryDelayMs: 50,
    });
    t.after(() => publisher.close());
    publisher.publishEvent(ev(1));
    publisher.publishStatus('cam-1', sampleStatuses[0]!);
    assert.equal(publisher.stats().connection.state, 'connecting');
    assert.equal(publisher.stats().buffered, 2);

    const server = await startNatsServer({ port });
    t.after(() => server.cleanup());
    await waitFor('the first connection and backlog', () => publisher.stats().buffered === 0, 15_000);
    const checker = await connect({ servers: server.url });
    t.after(() => checker.close());
    assert.deepEqual(await streamIds(await checker.jetstreamManager()), ['evt-1']);
  });

  test('with JetStream off, events go to core NATS with a Nats-Msg-Id header and no stream is made', async (t) => {
    if (!needs(t, natsAvailable, 'nats-server')) return;
    const server = await startNatsServer();
    t.after(() => server.cleanup());
    const client = await connect({ servers: server.url });
    t.after(() => client.close());
    const received = collect<Msg>(1);
    client.subscribe('plain.events.>', { callback: (_e, m) => received.push(m) });
    await client.flush();
    const publisher = createNatsPublisher({
      servers: server.url,
      prefix: 'plain',
      jetstream: { enabled: false },
    });
    t.after(() => publisher.close());
    await waitFor('connection', () => publisher.stats().connected);
    publisher.publishEvent(ev(7));
    const [msg] = await received.done;
    assert.equal(msg?.subject, 'plain.events.cam-1.falling');
    assert.equal(msg?.headers?.get('Nats-Msg-Id'), 'evt-7');
    const streams = await (await client.jetstreamManager()).streams.list().next();
    assert.deepEqual(streams, []);
  });

  test('close() before any connection ever succeeded returns promptly and leaves nothing running', async (t) => {
    if (!needs(t, natsAvailable, 'nats-server')) return;
    const port = await freePort();
    const publisher = createNatsPublisher({
      servers: `nats://127.0.0.1:${port}`,
      jetstream: { enabled: true },
      reconnectTimeWaitMs: 60_000,
    });
    publisher.publishEvent(ev(1));
    await waitFor('a failed first attempt', () => {
      const c = publisher.stats().connection;
      return c.state === 'connecting' && c.attempt >= 1;
    });
    await publisher.close();
    assert.equal(publisher.stats().connection.state, 'closed');
    // A leaked 60 s retry timer would keep this test file's process alive; node:test would then time out.
  });
});

describe('NATS publisher credentials (real nats-server)', () => {
  test('user/password are passed through; wrong ones keep it connecting with the error', async (t) => {
    if (!needs(t, natsAvailable, 'nats-server')) return;
    const server = await startNatsServer({ jetstream: false, extraArgs: ['--user', 'tsn', '--pass', 'pw'] });
    t.after(() => server.cleanup());
    const wrong = createNatsPublisher({
      servers: server.url,
      user: 'tsn',
      pass: 'nope',
      jetstream: { enabled: false },
      reconnectTimeWaitMs: 50,
    });
    t.after(() => wrong.close());
    const right = createNatsPublisher({
      servers: server.url,
      user: 'tsn',
      pass: 'pw',
      jetstream: { enabled: false },
    });
    t.after(() => right.close());
    await waitFor('the right credentials to connect', () => right.stats().connected);
    await waitFor('the wrong credentials to be refused', () => {
      const c = wrong.stats().connection;
      return c.state === 'connecting' && /authorization/i.test(c.lastError ?? '');
    });
  });

  test('an NKey seed is passed through', async (t) => {
    if (!needs(t, natsAvailable, 'nats-server')) return;
    const user = nkeys.createUser();
    const configDir = mkdtempSync(join(tmpdir(), 'tsn-nats-conf-'));
    t.after(() => rmSync(configDir, { recursive: true, force: true }));
    const configFile = join(configDir, 'nkey.conf');
    writeFileSync(configFile, `authorization { users = [ { nkey: "${user.getPublicKey()}" } ] }\n`);
    const server = await startNatsServer({ jetstream: false, extraArgs: ['-c', configFile] });
    t.after(() => server.cleanup());
    const publisher = createNatsPublisher({
      servers: server.url,
      nkeySeed: new TextDecoder().decode(user.getSeed()),
      jetstream: { enabled: false },
    });
    t.after(() => publisher.close());
    await waitFor('an NKey-authenticated connection', () => publisher.stats().connected);
  });
});
