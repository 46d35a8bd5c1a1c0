// Runs head calls one at a time, in arrival order, so each camera's predictions stay in window order.
import { Subscription, type ObservableInput, type SchedulerLike } from 'rxjs';
import { IdleSignal } from './idle-signal.js';
import { runOneCall } from './one-call.js';
import type { HeadCall } from './window-head.js';

export interface HeadQueueHooks {
  run(call: HeadCall): ObservableInput<Float32Array>;
  onResult(call: HeadCall, logits: Float32Array, startedAtMs: number): void;
  onError(call: HeadCall, error: unknown): void;
  /** A call dropped because maxQueued calls were already waiting (oldest first). */
  onDrop(call: HeadCall): void;
}

/**
 * At most one call runs; at most maxQueued wait. The head (fc over pooled features) is far cheaper than
 * the backbone that feeds it, so the bound only matters if the head runtime stalls.
 */
export class HeadQueue {
  private readonly waiting: HeadCall[] = [];
  private current: Subscription | null = null;
  private closed = false;
  /** idle.wait() resolves once nothing is queued or running (at once when idle or closed). */
  readonly idle = new IdleSignal(() => this.closed || (this.current === null && this.waiting.length === 0));

  constructor(
    private readonly maxQueued: number,
    private readonly scheduler: SchedulerLike,
    private readonly hooks: HeadQueueHooks,
  ) {}

  push(call: HeadCall): void {
    if (this.closed) return;
    this.waiting.push(call);
    while (this.waiting.length > this.maxQueued) {
      const dropped = this.waiting.shift();
      if (dropped !== undefined) this.hooks.onDrop(dropped);
    }
    this.next();
  }

  close(): void {
    this.closed = true;
    this.waiting.length = 0;
    this.current?.unsubscribe();
    this.current = null;
    this.idle.check();
  }

  get depth(): number {
    return this.waiting.length;
  }

  private next(): void {
    if (this.current !== null || this.closed) return;
    const call = this.waiting.shift();
    if (call === undefined) return this.idle.check();
    const holder = new Subscription();
    this.current = holder;
    const startedAtMs = this.scheduler.now();
    runOneCall(holder, () => this.hooks.run(call), {
      result: (logits) => this.hooks.onResult(call, logits, startedAtMs),
      error: (error) => this.hooks.onError(call, error),
      settled: () => {
        if (this.current !== holder) return;
        this.current = null;
        this.next();
      },
    });
  }
}
