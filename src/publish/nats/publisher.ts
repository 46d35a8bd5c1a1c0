// NATS publisher: events to JetStream with Nats-Msg-Id = event.id (exactly one stored copy per event even when
// a publish is retried after a reconnect), predictions and camera status on core NATS. While the server is
// away messages wait in bounded queues (oldest dropped and counted) and go out in order after reconnect.
import { readFileSync } from 'node:fs';
import { connect, headers, type JetStreamClient, type NatsConnection } from 'nats';
import { TsnError } from '../../errors/index.js';
import type { ActionEvent } from '../../domain/event.js';
import type { Prediction } from '../../domain/prediction.js';
import type { CameraStatus } from '../../domain/camera-status.js';
import { createSubjects, DEFAULT_SUBJECT_PREFIX } from '../subjects.js';
import { encodeWire, toWireEvent, toWirePrediction, toWireStatus } from '../wire.js';
import { BoundedQueue } from '../bounded-queue.js';
import { silentLogger, type PublishLogger } from '../logger.js';
import {
  buildConnectOptions,
  buildStreamConfig,
  type ConnectSettings,
  type JetStreamOptions,
} from './options.js';

export interface NatsPublisherOptions extends Omit<ConnectSettings, 'credsContent'> {
  /** Subject prefix; default 'actions'. */
  readonly prefix?: string;
  /** Path of a .creds file (JWT + NKey seed). */
  readonly credsFile?: string;
  readonly jetstream: JetStreamOptions;
  /** Bound of each outage queue (events; predictions + status). Default 10,000. */
  readonly maxBufferedMessages?: number;
  /** How long to wait for a JetStream ack before retrying the same message. Default 5 s. */
  readonly publishTimeoutMs?: number;
  /** Pause after a failed publish or stream setup before trying again. Default 1 s. */
  readonly retryDelayMs?: number;
  readonly logger?: PublishLogger;
}

export type NatsConnectionState =
  | { readonly state: 'connecting'; readonly attempt: number; readonly lastError?: string }
  | { readonly state: 'connected'; readonly server: string }
  | { readonly state: 'disconnected'; readonly sinceMs: number }
  | { readonly state: 'closed' };

export interface NatsPublisherStats {
  readonly connection: NatsConnectionState;
  readonly connected: boolean;
  /** JetStream stream created/updated on the current connection (always false when JetStream is off). */
  readonly streamReady: boolean;
  /** Messages waiting (events + core). */
  readonly buffered: number;
  readonly bufferedEvents: number;
  /** Messages dropped because a queue was full (events + core). */
  readonly dropped: number;
  readonly droppedEvents: number;
  /** Messages handed to the server (events acked by JetStream + core). */
  readonly published: number;
  readonly publishedEvents: number;
  /** Events JetStream reported as already stored (a retry after a lost ack). */
  readonly duplicates: number;
  readonly publishFailures: number;
}

export interface NatsPublisher {
  publishEvent(event: ActionEvent): void;
  publishPrediction(prediction: Prediction): void;
  publishStatus(cameraId: string, status: CameraStatus): void;
  stats(): NatsPublisherStats;
  /** Resolves true once every buffered message reached the server, false if `timeoutMs` passed first. */
  flush(timeoutMs?: number): Promise<boolean>;
  /** Stops retrying, drains what the connection holds and closes it. Buffered messages are dropped. */
  close(): Promise<void>;
}

interface Outgoing {
  readonly subject: string;
  readonly data: Uint8Array;
  /** Set for events: the Nats-Msg-Id. */
  readonly msgId?: string;
}

function readCreds(path: string | undefined): string | undefined {
  if (path === undefined) return undefined;
  try {
    return readFileSync(path, 'utf8');
  } catch (cause) {
    throw new TsnError(
      'E_CONFIG',
      `cannot read NATS credentials file ${path}: check the path and permissions`,
      {
        cause,
        context: { credsFile: path },
      },
    );
  }
}

const CLOSE_DRAIN_TIMEOUT_MS = 2000;

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([promise, expired]);
  } finally {
    clearTimeout(timer);
  }
}

const STREAM_NOT_FOUND = 10059;
const isStreamNotFound = (error: unknown): boolean =>
  (error as { api_error?: { err_code?: number } }).api_error?.err_code === STREAM_NOT_FOUND ||
  /stream not found/i.test(errorText(error));

const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error));

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
  const sleepers = new Set<() => void>();
  const idleWaiters = new Set<() => void>();

  const isConnected = (): boolean => connection.state === 'connected' && nc !== undefined;
  const eventsWritable = (): boolean => isConnected() && (!useJetStream || streamReady);

  // Every pause is cancellable: close() must not leave a timer behind, and a reconnect retries at once.
  const pause = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      if (closing) return resolve();
      const wake = (): void => {
        clearTimeout(timer);
        sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      sleepers.add(wake);
    });
  const wakeAll = (): void => [...sleepers].forEach((wake) => wake());

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
        const jsm = await conn.jetstreamManager({ timeout: publishTimeoutMs });
        const name = streamConfig.name ?? '';
        const exists = await jsm.streams.info(name).then(
          () => true,
          (error: unknown) => {
            if (isStreamNotFound(error)) return false;
            throw error;
          },
        );
        if (exists) await jsm.streams.update(name, streamConfig);
        else await jsm.streams.add(streamConfig);
        js = conn.jetstream({ timeout: publishTimeoutMs });
        streamReady = true;
        log.info(
          { stream: name, subjects: streamConfig.subjects, updated: exists },
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
    wakeAll();
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
    flush: async (timeoutMs = 10_000) => {
      let timer: NodeJS.Timeout | undefined;
      let resolveIdle: (() => void) | undefined;
      const idle = new Promise<boolean>((resolve) => {
        resolveIdle = () => resolve(true);
        idleWaiters.add(resolveIdle);
        notifyIdle();
      });
      const timeout = new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), timeoutMs);
      });
      try {
        const drained = await Promise.race([idle, timeout]);
        if (drained && nc !== undefined && isConnected()) await nc.flush();
        return drained;
      } finally {
        clearTimeout(timer);
        if (resolveIdle !== undefined) idleWaiters.delete(resolveIdle);
      }
    },
    close: async () => {
      if (closing) return;
      closing = true;
      wakeAll();
      const conn = nc;
      const wasConnected = isConnected();
      nc = undefined;
      js = undefined;
      connection = { state: 'closed' };
      events.clear();
      core.clear();
      notifyIdle();
      if (conn === undefined || conn.isClosed()) return;
      // drain() waits for the server; with the server gone it would wait forever, so it gets a deadline.
      if (wasConnected) await withTimeout(conn.drain(), CLOSE_DRAIN_TIMEOUT_MS).catch(() => undefined);
      if (!conn.isClosed()) await conn.close();
    },
  };
}
