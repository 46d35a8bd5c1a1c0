// Helpers for the service fault tests: message collectors for NATS and WebSocket, schema checks by message
// kind, reading every event stored in a JetStream stream, and scraping one counter from /metrics.
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import type { JetStreamManager, NatsConnection } from 'nats';
import WebSocket from 'ws';
import { loadSchema, type SchemaName } from '../helpers/json-schema.js';

export interface Received {
  readonly via: 'nats' | 'ws';
  readonly subject: string;
  readonly data: Record<string, unknown>;
  readonly receivedAtMs: number;
}

/** The schema a data message follows: NATS by subject, WebSocket by its `type` (control messages have `op`). */
export function schemaOf(message: Received): SchemaName {
  if (message.via === 'nats') {
    const kind = message.subject.split('.')[1];
    if (kind === 'events') return 'event';
    if (kind === 'predictions') return 'prediction';
    if (kind === 'status') return 'status';
    throw new Error(`unexpected NATS subject ${message.subject}`);
  }
  const type = String(message.data.type);
  if (type.startsWith('action.')) return 'event';
  if (type === 'prediction' || type === 'status') return type;
  throw new Error(`unexpected WebSocket message ${JSON.stringify(message.data)}`);
}

const validators = {
  event: loadSchema('event'),
  prediction: loadSchema('prediction'),
  status: loadSchema('status'),
};

/** Asserts every message matches its schema; returns how many of each kind were checked. */
export function assertAllValid(messages: readonly Received[]): Record<SchemaName, number> {
  const counts: Record<SchemaName, number> = { event: 0, prediction: 0, status: 0 };
  for (const message of messages) {
    const schema = schemaOf(message);
    const errors = validators[schema].validate(message.data);
    assert.deepEqual(errors, [], `${message.via} ${message.subject}: ${JSON.stringify(message.data)}`);
    counts[schema] += 1;
  }
  return counts;
}

export function collectNats(nc: NatsConnection, subject: string, into: Received[]): void {
  const sub = nc.subscribe(subject);
  void (async () => {
    for await (const m of sub) {
      into.push({
        via: 'nats',
        subject: m.subject,
        data: m.json<Record<string, unknown>>(),
        receivedAtMs: Date.now(),
      });
    }
  })();
}

export interface WsClient {
  readonly ws: WebSocket;
  readonly messages: Received[];
  readonly closed: Promise<{ code: number; reason: string }>;
  /** The underlying TCP socket (to stop reading, as a stalled subscriber would). */
  readonly socket: Socket;
}

/** Opens a subscriber; data messages (with `type`) are kept, control messages (`op`) are not. */
export async function openWs(url: string): Promise<WsClient> {
  const ws = new WebSocket(url);
  const messages: Received[] = [];
  ws.on('message', (raw: Buffer) => {
    const data = JSON.parse(raw.toString()) as Record<string, unknown>;
    if (data.type !== undefined) {
      messages.push({ via: 'ws', subject: String(data.type), data, receivedAtMs: Date.now() });
    }
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.once('close', (code: number, reason: Buffer) => resolve({ code, reason: reason.toString() })),
  );
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  return { ws, messages, closed, socket: (ws as unknown as { _socket: Socket })._socket };
}

export interface StoredEvent {
  readonly seq: number;
  readonly id: string;
  readonly msgId: string | undefined;
}

/** Every message the stream holds now, read one sequence at a time (the stream is small in a test). */
export async function storedEvents(jsm: JetStreamManager, stream: string): Promise<StoredEvent[]> {
  const info = await jsm.streams.info(stream);
  const out: StoredEvent[] = [];
  if (info.state.messages === 0) return out;
  for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
    const m = await jsm.streams.getMessage(stream, { seq });
    out.push({ seq, id: m.json<{ id: string }>().id, msgId: m.header?.get('Nats-Msg-Id') });
  }
  return out;
}

/** The value of an unlabelled counter or gauge in a Prometheus text page (undefined when absent). */
export async function metric(baseUrl: string, name: string): Promise<number | undefined> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}

export function predictionsOf(messages: readonly Received[], camera: string): Received[] {
  return messages.filter((m) => m.data.type === 'prediction' && m.data.camera === camera);
}

export function eventsOf(messages: readonly Received[]): Received[] {
  return messages.filter((m) => String(m.data.type).startsWith('action.'));
}

export function windowEndMs(prediction: Received): number {
  return (prediction.data.window as { endMs: number }).endMs;
}
