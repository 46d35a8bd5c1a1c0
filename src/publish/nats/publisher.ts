// NATS publisher: events to JetStream with Nats-Msg-Id = event.id (exactly one stored copy per event even when
// a publish is retried after a reconnect), predictions and camera status on core NATS. While the server is
// away messages wait in bounded queues (oldest dropped and counted) and go out in order after reconnect.
// Assembled from parts: NatsLink (connection status), JetStreamEventPump (events), CorePublisher (core NATS).
import { connect, type NatsConnection } from 'nats';
import { createSubjects, DEFAULT_SUBJECT_PREFIX } from '../subjects.js';
import { encodeWire, toWireEvent, toWirePrediction, toWireStatus } from '../wire.js';
import { silentLogger } from '../logger.js';
import { NatsLink } from './connection.js';
import { CorePublisher } from './core-publisher.js';
import { JetStreamEventPump } from './event-pump.js';
import { buildConnectOptions, buildStreamConfig } from './options.js';
import { CancellableDelays, createOrUpdateStream, errorText, readCreds, withTimeout } from './support.js';
import type {
  NatsPublisher,
  NatsPublisherDeps,
  NatsPublisherOptions,
  NatsPublisherStats,
  Outgoing,
} from './types.js';

export type {
  NatsPublisherOptions,
  NatsPublisherDeps,
  NatsConnectionState,
  NatsPublisherStats,
  NatsPublisher,
} from './types.js';

const CLOSE_DRAIN_TIMEOUT_MS = 2000;

export function createNatsPublisher(
  options: NatsPublisherOptions,
  deps: NatsPublisherDeps = {},
): NatsPublisher {
  const subjects = createSubjects(options.prefix ?? DEFAULT_SUBJECT_PREFIX);
  const streamConfig = buildStreamConfig(options.jetstream, subjects.allEvents);
  const log = options.logger ?? silentLogger;
  const now = deps.now ?? Date.now;
  const capacity = options.maxBufferedMessages ?? 10_000;
  const publishTimeoutMs = options.publishTimeoutMs ?? 5000;
  const retryDelayMs = options.retryDelayMs ?? 1000;
  // Long enough for one publish whose ack never comes (a stream electing a new leader after a node
  // died) and its retry: a shorter wait let a SIGTERMed edge drop its handover events.
  const closeFlushTimeoutMs = options.closeFlushTimeoutMs ?? publishTimeoutMs + retryDelayMs + 2000;
  const delays = new CancellableDelays();
  const idleWaiters = new Set<() => void>();
  let closed: Promise<void> | undefined;

  const core = new CorePublisher(capacity);
  // With JetStream off, events go to core NATS too, through their own queue (counted as events).
  const coreEvents = options.jetstream.enabled ? undefined : new CorePublisher(capacity);
  const buffered = (): number => (coreEvents ?? pump).stats().buffered + core.stats().buffered;
  const notifyIdle = (): void => {
    if (buffered() > 0) return;
    for (const resolve of idleWaiters) resolve();
    idleWaiters.clear();
  };

  const prepareStream = async (conn: NatsConnection, signal: AbortSignal): Promise<void> => {
    while (!signal.aborted) {
      try {
        const outcome = await createOrUpdateStream(conn, streamConfig, publishTimeoutMs);
        if (signal.aborted) return;
        log.info(
          { stream: streamConfig.name, subjects: streamConfig.subjects, outcome },
          'JetStream stream ready',
        );
        pump.resume(conn.jetstream({ timeout: publishTimeoutMs }));
        return;
      } catch (error) {
        log.error(
          { err: errorText(error), stream: streamConfig.name },
          'cannot create or update the JetStream stream: is JetStream enabled on the server (-js) and the stream config compatible?',
        );
        await delays.wait(retryDelayMs);
      }
    }
  };

  let period: { conn: NatsConnection; signal: AbortSignal } | undefined;
  const pump = new JetStreamEventPump({
    capacity,
    publishTimeoutMs,
    retryDelayMs,
    retryDelay: (ms) => delays.wait(ms),
    logger: log,
    onStreamLost: () => {
      if (period !== undefined) void prepareStream(period.conn, period.signal);
    },
    onProgress: notifyIdle,
  });

  const link = new NatsLink({
    connect: deps.connect ?? connect,
    connectOptions: buildConnectOptions({
      ...options,
      ...(options.credsFile === undefined ? {} : { credsContent: readCreds(options.credsFile) }),
    }),
    retryDelayMs: options.reconnectTimeWaitMs ?? 1000,
    delays,
    now,
    logger: log,
    handlers: {
      up(conn, signal) {
        period = { conn, signal };
        core.attach(conn);
        if (coreEvents !== undefined) coreEvents.attach(conn);
        else void prepareStream(conn, signal);
        notifyIdle();
      },
      down() {
        period = undefined;
        core.detach();
        coreEvents?.detach();
        pump.pause();
      },
    },
  });
  link.start();

  const publishEvent = (item: Outgoing): void =>
    coreEvents === undefined ? pump.push(item) : coreEvents.publish(item);

  const flush = async (timeoutMs = 10_000): Promise<boolean> => {
    const deadlineMs = now() + timeoutMs;
    let resolveIdle: (() => void) | undefined;
    const idle = new Promise<true>((resolve) => {
      resolveIdle = () => resolve(true);
      idleWaiters.add(resolveIdle);
      notifyIdle();
    });
    try {
      if ((await withTimeout(idle, timeoutMs)) !== true) return false;
      const conn = link.connection;
      if (conn === undefined) return true;
      // A PING round trip: everything published before it has reached the server.
      const flushed = conn.flush().then(
        () => true,
        () => false,
      );
      return (await withTimeout(flushed, Math.max(1, deadlineMs - now()))) === true;
    } finally {
      if (resolveIdle !== undefined) idleWaiters.delete(resolveIdle);
    }
  };

  const shutdown = async (): Promise<void> => {
    // Events still queued (e.g. the episodes the pipeline ends at shutdown) get a bounded chance to go out.
    if (link.connection !== undefined && !(await flush(closeFlushTimeoutMs))) {
      log.warn(
        { unconfirmed: buffered(), waitedMs: closeFlushTimeoutMs },
        'closing with messages NATS has not confirmed; they are dropped',
      );
    }
    pump.stop();
    core.clear();
    coreEvents?.clear();
    notifyIdle();
    await link.close(CLOSE_DRAIN_TIMEOUT_MS);
  };

  const stats = (): NatsPublisherStats => {
    const jetStream = pump.stats();
    const events = coreEvents?.stats() ?? jetStream;
    const other = core.stats();
    return {
      connection: link.state,
      connected: link.connection !== undefined,
      streamReady: pump.ready,
      buffered: events.buffered + other.buffered,
      bufferedEvents: events.buffered,
      dropped: events.dropped + other.dropped,
      droppedEvents: events.dropped,
      published: events.published + other.published,
      publishedEvents: events.published,
      duplicates: jetStream.duplicates,
      publishFailures: jetStream.failures,
    };
  };

  return {
    publishEvent: (event) =>
      publishEvent({
        subject: subjects.event(event.camera, event.label),
        data: encodeWire(toWireEvent(event)),
        msgId: event.id,
      }),
    publishPrediction: (p) =>
      core.publish({ subject: subjects.prediction(p.cameraId), data: encodeWire(toWirePrediction(p)) }),
    publishStatus: (cameraId, status) =>
      core.publish({ subject: subjects.status(cameraId), data: encodeWire(toWireStatus(cameraId, status)) }),
    stats,
    flush,
    // Idempotent: every caller waits for the same shutdown.
    close: () => (closed ??= shutdown()),
  };
}
