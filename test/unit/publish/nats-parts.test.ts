// The NATS publisher's parts without a server: the core publisher and the JetStream event pump against fake
// connections, and NatsLink's status tracking against a fake nats.js connection driven by status events.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode, Events, type MsgHdrs, type NatsConnection, type PubAck, type Status } from 'nats';
import {
  CorePublisher,
  MSG_ID_HEADER,
  type CoreConnection,
} from '../../../src/publish/nats/core-publisher.js';
import { JetStreamEventPump, type EventTarget } from '../../../src/publish/nats/event-pump.js';
import { NatsLink } from '../../../src/publish/nats/connection.js';
import { CancellableDelays } from '../../../src/publish/nats/support.js';
import { silentLogger } from '../../../src/publish/logger.js';
import type { Outgoing } from '../../../src/publish/nats/types.js';
import { createNatsPublisher } from '../../../src/publish/nats/publisher.js';
import { sampleEvent, samplePrediction } from './samples.js';
import { waitFor } from '../../helpers/wait.js';

const item = (n: number, msgId?: string): Outgoing => ({
  subject: `s.${n}`,
  data: new Uint8Array([n]),
  ...(msgId === undefined ? {} : { msgId }),
});

function fakeCore(): CoreConnection & { sent: { subject: string; msgId: string | undefined }[] } {
  const sent: { subject: string; msgId: string | undefined }[] = [];
  return {
    sent,
    publish: (subject, _data, options) =>
      void sent.push({ subject, msgId: options?.headers?.get(MSG_ID_HEADER) }),
  };
}

describe('CorePublisher', () => {
  test('queues while detached (oldest dropped), sends in order on attach, then directly', () => {
    const core = new CorePublisher(2);
    for (const n of [1, 2, 3]) core.publish(item(n));
    assert.deepEqual(core.stats(), { buffered: 2, dropped: 1, published: 0 });
    const conn = fakeCore();
    core.attach(conn);
    core.publish(item(4, 'evt-4'));
    assert.deepEqual(conn.sent, [
      { subject: 's.2', msgId: undefined },
      { subject: 's.3', msgId: undefined },
      { subject: 's.4', msgId: 'evt-4' },
    ]);
    assert.equal(core.stats().published, 3);
    core.detach();
    core.publish(item(5));
    assert.equal(core.stats().buffered, 1);
    assert.equal(conn.sent.length, 3);
  });
});

interface PendingPublish {
  readonly subject: string;
  readonly msgID: string | undefined;
  resolve(ack: Partial<PubAck>): void;
  reject(error: unknown): void;
}

function fakeJetStream(): EventTarget & { calls: PendingPublish[] } {
  const calls: PendingPublish[] = [];
  return {
    calls,
    publish: (subject, _data, options) =>
      new Promise<PubAck>((resolve, reject) =>
        calls.push({
          subject,
          msgID: options?.msgID,
          resolve: (ack) => resolve({ stream: 'S', seq: calls.length, duplicate: false, ...ack } as PubAck),
          reject,
        }),
      ),
  };
}

function pump(overrides: { onStreamLost?: () => void; capacity?: number } = {}) {
  const delays = new CancellableDelays();
  const p = new JetStreamEventPump({
    capacity: overrides.capacity ?? 10,
    publishTimeoutMs: 1000,
    retryDelayMs: 0,
    retryDelay: (ms) => delays.wait(ms),
    logger: silentLogger,
    onStreamLost: overrides.onStreamLost ?? (() => undefined),
    onProgress: () => undefined,
  });
  return { pump: p, delays };
}

describe('JetStreamEventPump', () => {
  test('publishes one event at a time, in order, each leaving the queue only when acked', async () => {
    const { pump: p } = pump();
    const js = fakeJetStream();
    p.push(item(1, 'a'));
    p.push(item(2, 'b'));
    assert.equal(js.calls.length, 0, 'paused until a target is given');
    p.resume(js);
    await waitFor('the first publish', () => js.calls.length === 1);
    assert.equal(p.stats().buffered, 2);
    js.calls[0]?.resolve({});
    await waitFor('the second publish', () => js.calls.length === 2);
    assert.equal(js.calls[1]?.msgID, 'b');
    js.calls[1]?.resolve({ duplicate: true });
    await waitFor('an empty queue', () => p.stats().buffered === 0);
    assert.deepEqual(p.stats(), { buffered: 0, dropped: 0, published: 2, duplicates: 1, failures: 0 });
  });

  test('a failed publish is retried with the same msgID', async () => {
    const { pump: p } = pump();
    const js = fakeJetStream();
    p.resume(js);
    p.push(item(1, 'a'));
    await waitFor('the publish', () => js.calls.length === 1);
    js.calls[0]?.reject(new Error('timeout'));
    await waitFor('the retry', () => js.calls.length === 2);
    assert.equal(js.calls[1]?.msgID, 'a');
    js.calls[1]?.resolve({});
    await waitFor('the ack', () => p.stats().buffered === 0);
    assert.deepEqual([p.stats().published, p.stats().failures], [1, 1]);
  });

  test('no responders (stream gone): pauses and asks for the stream once; resumes on a new target', async () => {
    let lost = 0;
    const { pump: p } = pump({ onStreamLost: () => (lost += 1) });
    const js = fakeJetStream();
    p.resume(js);
    p.push(item(1, 'a'));
    await waitFor('the publish', () => js.calls.length === 1);
    js.calls[0]?.reject(Object.assign(new Error('no responders'), { code: ErrorCode.NoResponders }));
    await waitFor('the stream to be asked for', () => lost === 1);
    assert.equal(p.ready, false);
    assert.equal(p.stats().buffered, 1);
    const again = fakeJetStream();
    p.resume(again);
    await waitFor('the publish on the new target', () => again.calls.length === 1);
    again.calls[0]?.resolve({});
    await waitFor('the ack', () => p.stats().buffered === 0);
  });

  test('full while paused: the oldest events are dropped and counted; stop() forgets the rest', () => {
    const { pump: p } = pump({ capacity: 2 });
    for (const n of [1, 2, 3]) p.push(item(n, `e${n}`));
    assert.deepEqual([p.stats().buffered, p.stats().dropped], [2, 1]);
    p.stop();
    p.push(item(4, 'e4'));
    assert.equal(p.stats().buffered, 0);
  });
});

/** An async iterable fed by hand, like nats.js's status(). */
function channel<T>() {
  const queue: T[] = [];
  let wake: (() => void) | undefined;
  let ended = false;
  return {
    push(value: T) {
      queue.push(value);
      wake?.();
    },
    end() {
      ended = true;
      wake?.();
    },
    async *[Symbol.asyncIterator](): AsyncGenerator<T> {
      for (;;) {
        while (queue.length > 0) yield queue.shift() as T;
        if (ended) return;
        await new Promise<void>((resolve) => (wake = resolve));
      }
    },
  };
}

function fakeConnection() {
  const statuses = channel<Status>();
  let isClosed = false;
  let resolveClosed: (value: void | Error) => void = () => undefined;
  const closed = new Promise<void | Error>((resolve) => (resolveClosed = resolve));
  const sent: { subject: string; msgId: string | undefined }[] = [];
  const conn = {
    publish: (subject: string, _data: Uint8Array, options?: { headers?: MsgHdrs }) =>
      void sent.push({ subject, msgId: options?.headers?.get(MSG_ID_HEADER) }),
    flush: async () => undefined,
    getServer: () => '127.0.0.1:4222',
    status: () => statuses,
    closed: () => closed,
    isClosed: () => isClosed,
    drain: async () => conn.close(),
    close: async () => {
      isClosed = true;
      statuses.end();
      resolveClosed();
    },
  };
  return { conn: conn as unknown as NatsConnection, statuses, sent };
}

describe('NatsLink', () => {
  test('retries the first connection, then follows nats.js status events; close() drains and closes', async () => {
    const { conn, statuses } = fakeConnection();
    let attempts = 0;
    let clockMs = 1000;
    const calls: string[] = [];
    const link = new NatsLink({
      connect: async () => {
        attempts += 1;
        if (attempts < 3) throw new Error('connection refused');
        return conn;
      },
      connectOptions: {},
      retryDelayMs: 0,
      delays: new CancellableDelays(),
      now: () => clockMs,
      logger: silentLogger,
      handlers: {
        up: (_c, signal) => {
          calls.push('up');
          signal.addEventListener('abort', () => calls.push('period ended'));
        },
        down: () => calls.push('down'),
      },
    });
    link.start();
    await waitFor('the connection', () => link.connection !== undefined);
    assert.equal(attempts, 3);
    assert.deepEqual(link.state, { state: 'connected', server: '127.0.0.1:4222' });

    clockMs = 5000;
    statuses.push({ type: Events.Disconnect, data: '127.0.0.1:4222' });
    await waitFor('the disconnect', () => link.state.state === 'disconnected');
    assert.deepEqual(link.state, { state: 'disconnected', sinceMs: 5000 });
    assert.equal(link.connection, undefined);
    statuses.push({ type: Events.Reconnect, data: '127.0.0.1:4222' });
    await waitFor('the reconnect', () => link.connection !== undefined);
    assert.deepEqual(calls, ['up', 'period ended', 'down', 'up']);

    await link.close(1000);
    assert.deepEqual(link.state, { state: 'closed' });
    assert.ok(conn.isClosed());
    assert.deepEqual(calls, ['up', 'period ended', 'down', 'up', 'period ended']);
  });

  test('the state says why the first connection fails; close() while retrying stops at once', async () => {
    const link = new NatsLink({
      connect: () => Promise.reject(new Error('Authorization Violation')),
      connectOptions: {},
      retryDelayMs: 60_000,
      delays: new CancellableDelays(),
      now: () => 0,
      logger: silentLogger,
      handlers: { up: () => undefined, down: () => undefined },
    });
    link.start();
    const state = await waitFor('a failed attempt', () => {
      const s = link.state;
      return s.state === 'connecting' && s.attempt === 1 ? s : undefined;
    });
    assert.match(state.lastError ?? '', /Authorization/);
    await link.close(1000);
    assert.deepEqual(link.state, { state: 'closed' });
    // A leaked 60 s retry timer would keep this file's process alive; node:test would then time out.
  });
});

describe('createNatsPublisher without a server (fake connect, injected clock; JetStream off)', () => {
  test('sends at once while connected, buffers while away, sends the backlog in order on reconnect', async () => {
    const { conn, statuses, sent } = fakeConnection();
    let clockMs = 1000;
    const publisher = createNatsPublisher(
      { servers: 'nats://fake', prefix: 'p', jetstream: { enabled: false }, maxBufferedMessages: 2 },
      { connect: async () => conn, now: () => clockMs },
    );
    await waitFor('the connection', () => publisher.stats().connected);
    publisher.publishEvent(sampleEvent({ id: 'evt-1' }));
    assert.deepEqual(sent, [{ subject: 'p.events.cam-1.falling', msgId: 'evt-1' }]);

    clockMs = 2000;
    statuses.push({ type: Events.Disconnect, data: 'fake' });
    await waitFor('the disconnect', () => !publisher.stats().connected);
    assert.deepEqual(publisher.stats().connection, { state: 'disconnected', sinceMs: 2000 });
    for (const id of ['evt-2', 'evt-3', 'evt-4']) publisher.publishEvent(sampleEvent({ id }));
    publisher.publishPrediction(samplePrediction());
    assert.equal(sent.length, 1);
    const away = publisher.stats();
    assert.deepEqual([away.bufferedEvents, away.droppedEvents, away.buffered], [2, 1, 3]);

    statuses.push({ type: Events.Reconnect, data: 'fake' });
    await waitFor('the backlog', () => publisher.stats().buffered === 0);
    assert.deepEqual(
      sent.map((m) => m.msgId ?? m.subject),
      ['evt-1', 'p.predictions.cam-1', 'evt-3', 'evt-4'],
    );
    assert.ok(await publisher.flush(1000));
    await publisher.close();
    assert.deepEqual(publisher.stats().connection, { state: 'closed' });
    assert.ok(conn.isClosed());
  });
});
