// NATS publisher: events to JetStream with Nats-Msg-Id = event.id (exactly one stored copy per event even when
// a publish is retried after a reconnect), predictions and camera status on core NATS. While the server is
// away messages wait in bounded queues (oldest dropped and counted) and go out in order after reconnect.
import { connect, headers, type JetStreamClient, type NatsConnection } from 'nats';
import { createSubjects, DEFAULT_SUBJECT_PREFIX } from '../subjects.js';
import { encodeWire, toWireEvent, toWirePrediction, toWireStatus } from '../wire.js';
import { BoundedQueue } from '../bounded-queue.js';
import { silentLogger } from '../logger.js';
import { buildConnectOptions, buildStreamConfig } from './options.js';
import { CancellableDelays, createOrUpdateStream, errorText, readCreds, withTimeout } from './support.js';
import type { NatsConnectionState, NatsPublisher, NatsPublisherOptions } from './types.js';

export type {
  NatsPublisherOptions,
  NatsConnectionState,
  NatsPublisherStats,
  NatsPublisher,
} from './types.js';

// drain() waits for the server; with the server gone it would wait forever, so close() gives it a deadline.
const CLOSE_DRAIN_TIMEOUT_MS = 2000;

interface Outgoing {
  readonly subject: string;
  readonly data: Uint8Array;
  /** Set for events: the Nats-Msg-Id. */
  readonly msgId?: string;
}

export function createNatsPublisher(options: NatsPublisherOptions): NatsPublisher {
  const subjects = createSubjects(options.prefix ?? DEFAULT_SUBJECT_PREFIX);
  const connectOptions = buildConnectOptions({ ...options, credsContent: readCreds(options.credsFile) });
  const streamConfig = buildStreamConfig(options.jetstream, subjects.allEvents);
  const log = options.logger ?? silentLogger;
  const capacity = options.maxBufferedMessages ?? 10_000;
  const publishTimeoutMs = options.publishTimeoutMs ?? 5000;
  const retryDelayMs = options.retryDelayMs ?? 1000;
  const useJetStream = options.jetstream.enabled;

  const events = new BoundedQueue<Outgoing>(capacity);
  const core = new BoundedQueue<Outgoing>(capacity);
  const counts = { publishedEvents: 0, publishedCore: 0, duplicates: 0, publishFailures: 0 };
  let connection: NatsConnectionState = { state: 'connecting', attempt: 0 };
  let nc: NatsConnection | undefined;
  let js: JetStreamClient | undefined;
  let streamReady = false;
  let closing = false;
  let pumping = false;
  let generation = 0;
  const delays = new CancellableDelays();
  const idleWaiters = new Set<() => void>();
  let closed: Promise<void> | undefined;

  const isConnected = (): boolean => connection.state === 'connected' && nc !== undefined;
  const eventsWritable = (): boolean => isConnected() && (!useJetStream || streamReady);
  const pause = (ms: number): Promise<void> => delays.wait(ms);

  const notifyIdle = (): void => {
    if (events.length > 0 || core.length > 0) return;
    for (const resolve of idleWaiters) resolve();
    idleWaiters.clear();
  };

  const sendCore = (conn: NatsConnection, item: Outgoing): void => {
    if (item.msgId === undefined) conn.publish(item.subject, item.data);
    else {
      const h = headers();
      h.set('Nats-Msg-Id', item.msgId);
      conn.publish(item.subject, item.data, { headers: h });
    }
  };

  const drainCore = (): void => {
    if (nc === undefined) return;
    while (isConnected() && core.length > 0) {
      const item = core.shift();
      if (item !== undefined) sendCore(nc, item);
      counts.publishedCore += 1;
    }
    notifyIdle();
  };

  const drainEventsCore = (): void => {
    while (nc !== undefined && isConnected() && events.length > 0) {
      const item = events.shift();
      if (item !== undefined) sendCore(nc, item);
      counts.publishedEvents += 1;
    }
    notifyIdle();
  };

  const publishOneEvent = async (client: JetStreamClient, item: Outgoing): Promise<void> => {
    try {
      const ack = await client.publish(item.subject, item.data, {
        msgID: item.msgId ?? '',
        timeout: publishTimeoutMs,
      });
      if (events.removeHead(item)) counts.publishedEvents += 1;
      if (ack.duplicate) counts.duplicates += 1;
    } catch (error) {
      // The message stays at the head; the retry reuses its msgID, so a stored-but-unacked copy is deduplicated.
      counts.publishFailures += 1;
      log.warn(
        { err: errorText(error), subject: item.subject, msgId: item.msgId },
        'JetStream publish failed; will retry',
      );
      // No responders: nothing captures the subject any more (stream deleted or its subjects edited).
      if ((error as { code?: string }).code === '503' && nc !== undefined && isConnected()) {
        streamReady = false;
        const conn = nc;
        const gen = generation;
        void ensureStream(conn, gen).then(() => pumpEvents());
        return;
      }
      await pause(retryDelayMs);
    }
  };

  const pumpEvents = async (): Promise<void> => {
    if (pumping) return;
    pumping = true;
    try {
      while (!closing && eventsWritable() && js !== undefined) {
        const item = events.peek();
        if (item === undefined) break;
        await publishOneEvent(js, item);
      }
    } finally {
      pumping = false;
      notifyIdle();
    }
  };

  const ensureStream = async (conn: NatsConnection, gen: number): Promise<void> => {
    while (!closing && gen === generation && nc === conn && isConnected()) {
      try {
        const outcome = await createOrUpdateStream(conn, streamConfig, publishTimeoutMs);
        js = conn.jetstream({ timeout: publishTimeoutMs });
        streamReady = true;
        log.info(
          { stream: streamConfig.name, subjects: streamConfig.subjects, outcome },
          'JetStream stream ready',
        );
        return;
      } catch (error) {
        log.error(
          { err: errorText(error), stream: streamConfig.name },
          'cannot create or update the JetStream stream: is JetStream enabled on the server (-js) and the stream config compatible?',
        );
        await pause(retryDelayMs);
      }
    }
  };

  const onConnected = (conn: NatsConnection): void => {
    connection = { state: 'connected', server: conn.getServer() };
    streamReady = false;
    generation += 1;
    delays.wakeAll();
    drainCore();
    if (!useJetStream) return drainEventsCore();
    const gen = generation;
    void ensureStream(conn, gen).then(() => pumpEvents());
  };

  const watchStatus = async (conn: NatsConnection): Promise<void> => {
    for await (const s of conn.status()) {
      if (s.type === 'disconnect') {
        connection = { state: 'disconnected', sinceMs: Date.now() };
        streamReady = false;
        log.warn({ server: String(s.data) }, 'NATS disconnected; buffering until it is back');
      } else if (s.type === 'reconnect') {
        log.info({ server: String(s.data) }, 'NATS reconnected');
        onConnected(conn);
      } else if (s.type === 'error') {
        log.warn({ err: String(s.data) }, 'NATS connection error');
      }
    }
  };

  const connectLoop = async (): Promise<void> => {
    for (let attempt = 1; !closing; attempt += 1) {
      try {
        const conn = await connect(connectOptions);
        if (closing) {
          await conn.close();
          return;
        }
        nc = conn;
        void watchStatus(conn);
        void conn.closed().then((error) => {
          if (closing || nc !== conn) return;
          // nats.js gave up (e.g. repeated auth failures): start over rather than stay silent forever.
          log.error(
            { err: error === undefined ? undefined : errorText(error) },
            'NATS connection closed; reconnecting',
          );
          nc = undefined;
          js = undefined;
          streamReady = false;
          connection = { state: 'connecting', attempt: 0 };
          void connectLoop();
        });
        log.info({ server: conn.getServer() }, 'NATS connected');
        onConnected(conn);
        return;
      } catch (error) {
        connection = { state: 'connecting', attempt, lastError: errorText(error) };
        if (attempt === 1 || attempt % 30 === 0) {
          log.warn({ err: errorText(error), attempt }, 'NATS not reachable yet; retrying');
        }
        await pause(options.reconnectTimeWaitMs ?? 1000);
      }
    }
  };

  const enqueueEvent = (item: Outgoing): void => {
    events.push(item);
    if (!eventsWritable()) return;
    if (useJetStream) void pumpEvents();
    else drainEventsCore();
  };

  const publishCore = (item: Outgoing): void => {
    if (nc === undefined || !isConnected() || core.length > 0) return void core.push(item);
    sendCore(nc, item);
    counts.publishedCore += 1;
  };

  void connectLoop();

  const flush = async (timeoutMs = 10_000): Promise<boolean> => {
    let resolveIdle: (() => void) | undefined;
    const idle = new Promise<true>((resolve) => {
      resolveIdle = () => resolve(true);
      idleWaiters.add(resolveIdle);
      notifyIdle();
    });
    try {
      const deadline = Date.now() + timeoutMs;
      if ((await withTimeout(idle, timeoutMs)) !== true) return false;
      if (nc === undefined || !isConnected()) return true;
      // A PING round trip: everything published before it has reached the server.
      const flushed = nc.flush().then(
        () => true,
        () => false,
      );
      return (await withTimeout(flushed, Math.max(1, deadline - Date.now()))) === true;
    } finally {
      if (resolveIdle !== undefined) idleWaiters.delete(resolveIdle);
    }
  };

  const shutdown = async (): Promise<void> => {
    // Events still queued (e.g. the episodes the pipeline ends at shutdown) get a bounded chance to go out.
    if (isConnected()) await flush(options.closeFlushTimeoutMs ?? 2000);
    closing = true;
    delays.close();
    const conn = nc;
    const wasConnected = isConnected();
    nc = undefined;
    js = undefined;
    connection = { state: 'closed' };
    events.clear();
    core.clear();
    notifyIdle();
    if (conn === undefined || conn.isClosed()) return;
    if (wasConnected) await withTimeout(conn.drain(), CLOSE_DRAIN_TIMEOUT_MS).catch(() => undefined);
    if (!conn.isClosed()) await conn.close();
  };

  return {
    publishEvent: (event) =>
      enqueueEvent({
        subject: subjects.event(event.camera, event.label),
        data: encodeWire(toWireEvent(event)),
        msgId: event.id,
      }),
    publishPrediction: (p) =>
      publishCore({ subject: subjects.prediction(p.cameraId), data: encodeWire(toWirePrediction(p)) }),
    publishStatus: (cameraId, status) =>
      publishCore({ subject: subjects.status(cameraId), data: encodeWire(toWireStatus(cameraId, status)) }),
    stats: () => ({
      connection,
      connected: isConnected(),
      streamReady,
      buffered: events.length + core.length,
      bufferedEvents: events.length,
      dropped: events.dropped + core.dropped,
      droppedEvents: events.dropped,
      published: counts.publishedEvents + counts.publishedCore,
      publishedEvents: counts.publishedEvents,
      duplicates: counts.duplicates,
      publishFailures: counts.publishFailures,
    }),
    flush,
    // Idempotent: every caller waits for the same shutdown.
    close: () => (closed ??= shutdown()),
  };
}
