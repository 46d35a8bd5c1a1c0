// Example alerting consumer: a durable pull consumer on the ACTIONS JetStream stream that prints one alert
// line per action event and acks it. Being durable, it resumes where it left off after a restart, and
// events stored while it was down are delivered when it comes back. If its durable consumer is deleted or
// the stream is lost, nothing would ever arrive again: it stops with a message and exits 1 instead of
// waiting silently.
//
//   npm run build
//   node dist/simulators/alert-consumer.js --servers nats://127.0.0.1:4222 --durable alerts \
//        [--stream ACTIONS] [--subject 'actions.events.>'] [--labels falling,fighting] [--min-score 0.8]
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import {
  AckPolicy,
  ConsumerEvents,
  DeliverPolicy,
  connect,
  type ConsumerMessages,
  type NatsConnection,
} from 'nats';

export interface AlertEvent {
  readonly id: string;
  readonly type: 'action.started' | 'action.ended';
  readonly camera: string;
  readonly label: string;
  readonly score: number;
  readonly peakScore: number;
  readonly startedAt: string;
  readonly endedAt: string | null;
}

export interface AlertConsumerOptions {
  readonly servers: string | string[];
  readonly stream?: string;
  readonly durable: string;
  /** Only events on these subjects (default: every subject of the stream). */
  readonly filterSubject?: string;
  readonly labels?: readonly string[];
  readonly minScore?: number;
  readonly onAlert: (line: string, event: AlertEvent) => void;
  readonly signal?: AbortSignal;
  /** How long one pull request waits (heartbeats every half of it); default 30 s. */
  readonly pullExpiresMs?: number;
}

/** The consumer cannot receive anything any more: deleted, or its stream is gone. */
export class AlertConsumerLost extends Error {
  constructor(
    readonly reason: 'consumer-deleted' | 'consumer-not-found' | 'stream-not-found' | 'no-responders',
    message: string,
  ) {
    super(message);
    this.name = 'AlertConsumerLost';
  }
}

export function formatAlert(e: AlertEvent): string {
  const score = e.type === 'action.started' ? e.score : e.peakScore;
  const what = e.type === 'action.started' ? 'STARTED' : 'ENDED  ';
  const when = e.type === 'action.started' ? e.startedAt : (e.endedAt ?? e.startedAt);
  return `${when} ALERT ${what} camera=${e.camera} label=${e.label} score=${score.toFixed(3)} id=${e.id}`;
}

const wanted = (o: AlertConsumerOptions, e: AlertEvent): boolean =>
  (o.labels === undefined || o.labels.length === 0 || o.labels.includes(e.label)) &&
  (e.type === 'action.ended' || e.score >= (o.minScore ?? 0));

async function ensureConsumer(nc: NatsConnection, o: AlertConsumerOptions, stream: string): Promise<void> {
  const jsm = await nc.jetstreamManager();
  const exists = await jsm.consumers.info(stream, o.durable).then(
    () => true,
    () => false,
  );
  if (exists) return;
  await jsm.consumers.add(stream, {
    durable_name: o.durable,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ...(o.filterSubject === undefined ? {} : { filter_subject: o.filterSubject }),
  });
}

/** Runs until `signal` aborts; every event is acked once handled (filtered-out ones too). */
export async function runAlertConsumer(o: AlertConsumerOptions): Promise<void> {
  const stream = o.stream ?? 'ACTIONS';
  const nc = await connect({
    servers: o.servers,
    maxReconnectAttempts: -1,
    name: `alert-consumer:${o.durable}`,
  });
  try {
    await ensureConsumer(nc, o, stream);
    const consumer = await nc.jetstream().consumers.get(stream, o.durable);
    const messages = await consumer.consume({ max_messages: 100, expires: o.pullExpiresMs ?? 30_000 });
    const stop = (): void => messages.stop();
    if (o.signal?.aborted) stop();
    o.signal?.addEventListener('abort', stop, { once: true });
    const lost = watchForLoss(messages, o.durable, stream);
    try {
      for await (const m of messages) {
        const event = m.json<AlertEvent>();
        if (wanted(o, event)) o.onAlert(formatAlert(event), event);
        m.ack();
      }
    } finally {
      o.signal?.removeEventListener('abort', stop);
    }
    const error = await lost.settled();
    if (error !== undefined) throw error;
  } finally {
    await nc.drain().catch(() => nc.close());
  }
}

const LOSS_EVENTS: Readonly<Record<string, AlertConsumerLost['reason']>> = {
  [ConsumerEvents.ConsumerDeleted]: 'consumer-deleted',
  [ConsumerEvents.ConsumerNotFound]: 'consumer-not-found',
  [ConsumerEvents.StreamNotFound]: 'stream-not-found',
  [ConsumerEvents.NoResponders]: 'no-responders',
};

/** Stops `messages` on the first status saying the consumer or its stream is gone, and keeps why. */
function watchForLoss(
  messages: ConsumerMessages,
  durable: string,
  stream: string,
): { settled(): Promise<AlertConsumerLost | undefined> } {
  let error: AlertConsumerLost | undefined;
  const watching = (async () => {
    for await (const status of await messages.status()) {
      const reason = LOSS_EVENTS[status.type];
      if (reason === undefined) continue;
      error = new AlertConsumerLost(
        reason,
        `alert consumer "${durable}" on stream ${stream} is gone (${reason}): no events will arrive; ` +
          'check the stream exists (tsn serve creates it) and restart this consumer to recreate it',
      );
      messages.stop();
      return;
    }
  })().catch(() => undefined);
  return {
    settled: async () => {
      // The status iterator ends with the messages; a loss seen just before the end is kept.
      await Promise.race([watching, new Promise((r) => setTimeout(r, 0))]);
      return error;
    },
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      servers: { type: 'string', default: 'nats://127.0.0.1:4222' },
      stream: { type: 'string', default: 'ACTIONS' },
      durable: { type: 'string', default: 'alerts' },
      subject: { type: 'string' },
      labels: { type: 'string' },
      'min-score': { type: 'string', default: '0' },
    },
  });
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  process.once('SIGTERM', () => controller.abort());
  await runAlertConsumer({
    servers: values.servers.split(','),
    stream: values.stream,
    durable: values.durable,
    ...(values.subject === undefined ? {} : { filterSubject: values.subject }),
    labels: values.labels?.split(',').filter((l) => l !== '') ?? [],
    minScore: Number(values['min-score']),
    onAlert: (line) => console.log(line),
    signal: controller.signal,
  });
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
