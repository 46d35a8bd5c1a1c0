// The queue in front of the backbone, shared by all cameras. Pure: every method takes the time it needs as
// an argument and timers are expressed as "next deadline" values; a driver (batch-driver.ts) owns the clock.
import type { BatchingOptions } from './options.js';

export interface BatchItem {
  readonly cameraId: string;
}

interface Queued<T> {
  readonly item: T;
  readonly enqueuedAtMs: number;
}

/**
 * Batches of up to maxBatch items, released when maxBatch items wait or maxWaitMs after the oldest one,
 * while fewer than maxInFlight batches run.
 *
 * Fairness: one FIFO per camera; a batch takes one item per camera in round-robin order (starting after the
 * camera served last), so a camera flooding the queue cannot starve another.
 * Bound: at most maxQueue items wait. When full, the oldest item of the camera holding the most items is
 * dropped (the flooding camera pays) and counted for that camera.
 * Grouping: items whose groupKey differs (e.g. CenterCrop vs TenCrop cameras) never share a batch.
 */
export class FairBatcher<T extends BatchItem> {
  private readonly queues = new Map<string, Queued<T>[]>();
  private order: string[] = [];
  private cursor = 0;
  private size = 0;
  private running = 0;
  private readonly dropped = new Map<string, number>();

  constructor(
    private readonly options: BatchingOptions,
    private readonly groupKey: (item: T) => string | number = () => 0,
  ) {}

  /** Queues an item; returns the items dropped to make room (usually none). */
  enqueue(item: T, nowMs: number): T[] {
    let queue = this.queues.get(item.cameraId);
    if (queue === undefined) {
      queue = [];
      this.queues.set(item.cameraId, queue);
      this.order.push(item.cameraId);
    }
    queue.push({ item, enqueuedAtMs: nowMs });
    this.size++;
    const dropped: T[] = [];
    while (this.size > this.options.maxQueue) {
      const victim = this.dropOldestOfFullest();
      if (victim === undefined) break;
      dropped.push(victim);
    }
    return dropped;
  }

  /** The next batch to run now, or null (nothing due, or maxInFlight batches running). */
  nextBatch(nowMs: number): T[] | null {
    if (this.size === 0 || this.running >= this.options.maxInFlight) return null;
    const oldest = this.oldestEnqueuedAtMs();
    const due =
      this.size >= this.options.maxBatch || (oldest !== null && nowMs >= oldest + this.options.maxWaitMs);
    if (!due) return null;
    const batch = this.takeRoundRobin();
    if (batch.length === 0) return null;
    this.running++;
    return batch;
  }

  /** A batch handed out by nextBatch finished (successfully or not). */
  complete(): void {
    if (this.running > 0) this.running--;
  }

  /** When nextBatch may become non-null through time alone; null if only enqueue/complete can change it. */
  nextDeadlineMs(): number | null {
    if (this.size === 0 || this.running >= this.options.maxInFlight) return null;
    const oldest = this.oldestEnqueuedAtMs();
    return oldest === null ? null : oldest + this.options.maxWaitMs;
  }

  /** Removes a camera's queued items (returned) and its round-robin slot. */
  purge(cameraId: string): T[] {
    const queue = this.queues.get(cameraId) ?? [];
    this.queues.delete(cameraId);
    const at = this.order.indexOf(cameraId);
    if (at >= 0) {
      this.order.splice(at, 1);
      if (this.cursor > at) this.cursor--;
      if (this.cursor >= this.order.length) this.cursor = 0;
    }
    this.size -= queue.length;
    return queue.map((q) => q.item);
  }

  get depth(): number {
    return this.size;
  }

  get inFlight(): number {
    return this.running;
  }

  /** Items dropped so far, per camera. */
  dropsByCamera(): ReadonlyMap<string, number> {
    return this.dropped;
  }

  private takeRoundRobin(): T[] {
    const batch: T[] = [];
    const cameras = this.order.length;
    let group: string | number | undefined;
    let lastServed = -1;
    let takenInPass = true;
    while (batch.length < this.options.maxBatch && takenInPass) {
      takenInPass = false;
      for (let step = 0; step < cameras && batch.length < this.options.maxBatch; step++) {
        const slot = (this.cursor + step) % cameras;
        const queue = this.queues.get(this.order[slot] ?? '');
        const head = queue?.[0];
        if (queue === undefined || head === undefined) continue;
        const key = this.groupKey(head.item);
        if (group !== undefined && key !== group) continue;
        group = key;
        queue.shift();
        this.size--;
        batch.push(head.item);
        lastServed = slot;
        takenInPass = true;
      }
    }
    if (lastServed >= 0) this.cursor = (lastServed + 1) % cameras;
    return batch;
  }

  private dropOldestOfFullest(): T | undefined {
    let fullest: Queued<T>[] | undefined;
    for (const queue of this.queues.values()) {
      const head = queue[0];
      if (head === undefined) continue;
      const best = fullest?.[0];
      if (
        fullest === undefined ||
        best === undefined ||
        queue.length > fullest.length ||
        (queue.length === fullest.length && head.enqueuedAtMs < best.enqueuedAtMs)
      ) {
        fullest = queue;
      }
    }
    const victim = fullest?.shift();
    if (victim === undefined) return undefined;
    this.size--;
    const cameraId = victim.item.cameraId;
    this.dropped.set(cameraId, (this.dropped.get(cameraId) ?? 0) + 1);
    return victim.item;
  }

  private oldestEnqueuedAtMs(): number | null {
    let oldest: number | null = null;
    for (const queue of this.queues.values()) {
      const head = queue[0];
      if (head !== undefined && (oldest === null || head.enqueuedAtMs < oldest)) oldest = head.enqueuedAtMs;
    }
    return oldest;
  }
}
