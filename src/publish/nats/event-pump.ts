// Events to JetStream, one at a time and in order, over a bounded queue (oldest dropped and counted). An
// event leaves the queue only once JetStream acked it; a failed publish is retried with the same msgID, so a
// copy stored before its ack was lost is deduplicated by the stream. No connection of its own: a target is
// handed in while a connection and its stream are ready (resume) and taken away when not (pause).
import { ErrorCode, type JetStreamClient } from 'nats';
import { BoundedQueue } from '../bounded-queue.js';
import type { PublishLogger } from '../logger.js';
import { errorText } from './support.js';
import type { OutboxStats, Outgoing } from './types.js';

/** The part of a JetStreamClient the pump needs (a fake in unit tests). */
export type EventTarget = Pick<JetStreamClient, 'publish'>;

export interface EventPumpOptions {
  readonly capacity: number;
  /** How long to wait for an ack before the same event is tried again. */
  readonly publishTimeoutMs: number;
  /** Pause after a failed publish; cut short by wake(). */
  readonly retryDelay: (ms: number) => Promise<void>;
  readonly retryDelayMs: number;
  readonly logger: PublishLogger;
  /** No stream captures the subject any more (deleted, or its subjects edited): set it up again, then resume. */
  readonly onStreamLost: () => void;
  /** After each publish attempt and when the pump stops: the queue may have emptied. */
  readonly onProgress: () => void;
}

/** nats.js rejects a request nobody subscribes to with this code; for JetStream it means "no stream". */
function isNoResponders(error: unknown): boolean {
  return (error as { code?: unknown }).code === ErrorCode.NoResponders;
}

export class JetStreamEventPump {
  private readonly queue: BoundedQueue<Outgoing>;
  private target: EventTarget | undefined;
  private running = false;
  private stopped = false;
  private counts = { published: 0, duplicates: 0, failures: 0 };

  constructor(private readonly options: EventPumpOptions) {
    this.queue = new BoundedQueue<Outgoing>(options.capacity);
  }

  push(item: Outgoing): void {
    if (this.stopped) return;
    this.queue.push(item);
    this.kick();
  }

  /** Publishing may go on through `target` (connected, stream ready). */
  resume(target: EventTarget): void {
    if (this.stopped) return;
    this.target = target;
    this.kick();
  }

  /** The connection went away: events wait until resume(). */
  pause(): void {
    this.target = undefined;
  }

  /** Forgets what waits; later pushes are ignored. */
  stop(): void {
    this.stopped = true;
    this.target = undefined;
    this.queue.clear();
    this.options.onProgress();
  }

  get ready(): boolean {
    return this.target !== undefined;
  }

  /** duplicates: events JetStream reported as already stored (a retry after a lost ack). */
  stats(): OutboxStats & { readonly duplicates: number; readonly failures: number } {
    return { buffered: this.queue.length, dropped: this.queue.dropped, ...this.counts };
  }

  private kick(): void {
    if (!this.running && this.target !== undefined) void this.run();
  }

  private async run(): Promise<void> {
    this.running = true;
    try {
      for (;;) {
        const target = this.target;
        const item = this.queue.peek();
        if (this.stopped || target === undefined || item === undefined) break;
        await this.publishOne(target, item);
        this.options.onProgress();
      }
    } finally {
      this.running = false;
      this.options.onProgress();
    }
  }

  private async publishOne(target: EventTarget, item: Outgoing): Promise<void> {
    try {
      const ack = await target.publish(item.subject, item.data, {
        msgID: item.msgId ?? '',
        timeout: this.options.publishTimeoutMs,
      });
      // The item may have been dropped (queue full) while its publish was in flight.
      if (this.queue.removeHead(item)) this.counts.published += 1;
      if (ack.duplicate) this.counts.duplicates += 1;
    } catch (error) {
      this.counts.failures += 1;
      this.options.logger.warn(
        { err: errorText(error), subject: item.subject, msgId: item.msgId },
        'JetStream publish failed; will retry',
      );
      if (isNoResponders(error)) {
        if (this.target === target) {
          this.target = undefined;
          this.options.onStreamLost();
        }
        return;
      }
      await this.options.retryDelay(this.options.retryDelayMs);
    }
  }
}
