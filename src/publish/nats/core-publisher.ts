// Core NATS with an outage queue: a message goes out at once while a connection is attached and nothing
// waits before it; otherwise it waits in a bounded queue (oldest dropped and counted) and goes out, in order,
// when a connection is attached again. No I/O of its own: the connection is handed in.
import { headers, type NatsConnection } from 'nats';
import { BoundedQueue } from '../bounded-queue.js';
import type { OutboxStats, Outgoing } from './types.js';

/** JetStream deduplicates on this header; core subscribers can use it too. */
export const MSG_ID_HEADER = 'Nats-Msg-Id';

/** The part of a NatsConnection core publishing needs (a fake in unit tests). */
export type CoreConnection = Pick<NatsConnection, 'publish'>;

export class CorePublisher {
  private readonly queue: BoundedQueue<Outgoing>;
  private connection: CoreConnection | undefined;
  private sent = 0;

  constructor(capacity: number) {
    this.queue = new BoundedQueue<Outgoing>(capacity);
  }

  publish(item: Outgoing): void {
    if (this.connection === undefined || this.queue.length > 0) this.queue.push(item);
    else this.send(this.connection, item);
  }

  /** Sends what waited, then sends directly until detach(). */
  attach(connection: CoreConnection): void {
    this.connection = connection;
    for (let item = this.queue.shift(); item !== undefined; item = this.queue.shift()) {
      this.send(connection, item);
    }
  }

  detach(): void {
    this.connection = undefined;
  }

  /** Detaches and forgets what waits (close). */
  clear(): void {
    this.detach();
    this.queue.clear();
  }

  stats(): OutboxStats {
    return { buffered: this.queue.length, dropped: this.queue.dropped, published: this.sent };
  }

  private send(connection: CoreConnection, item: Outgoing): void {
    if (item.msgId === undefined) connection.publish(item.subject, item.data);
    else {
      const h = headers();
      h.set(MSG_ID_HEADER, item.msgId);
      connection.publish(item.subject, item.data, { headers: h });
    }
    this.sent += 1;
  }
}
