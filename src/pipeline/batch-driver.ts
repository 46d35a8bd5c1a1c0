// The thin clocked shell around FairBatcher: takes time from a SchedulerLike (TestScheduler in tests), arms
// one timer for the batcher's next deadline and runs batches through an injected function.
import { Subscription, type ObservableInput, type SchedulerLike } from 'rxjs';
import { TsnError } from '../errors/index.js';
import type { BatchItem, FairBatcher } from './fair-batcher.js';
import { IdleSignal } from './idle-signal.js';
import { runOneCall } from './one-call.js';

export interface BatchDriverHooks<T, R> {
  /** One inference call; its first value is the result. A Promise works (it is an ObservableInput). */
  run(batch: readonly T[]): ObservableInput<R>;
  onResult(batch: readonly T[], result: R, startedAtMs: number): void;
  onError(batch: readonly T[], error: unknown): void;
  /** Items the bounded queue dropped to make room. */
  onDrop(items: readonly T[]): void;
}

export class BatchDriver<T extends BatchItem, R> {
  private timer: Subscription | null = null;
  private timerAtMs = Number.NaN;
  private readonly running = new Set<Subscription>();
  private pumping = false;
  private pumpAgain = false;
  private closed = false;
  /** idle.wait() resolves once nothing is queued or running (at once when idle or closed). */
  readonly idle = new IdleSignal(() => this.closed || (this.running.size === 0 && this.core.depth === 0));

  constructor(
    private readonly core: FairBatcher<T>,
    private readonly scheduler: SchedulerLike,
    private readonly hooks: BatchDriverHooks<T, R>,
  ) {}

  enqueue(item: T): void {
    if (this.closed) return;
    const dropped = this.core.enqueue(item, this.scheduler.now());
    if (dropped.length > 0) this.hooks.onDrop(dropped);
    this.pump();
  }

  /** Forgets a camera's queued items (not counted as drops); its running batches finish normally. */
  purge(cameraId: string): T[] {
    const purged = this.core.purge(cameraId);
    this.armTimer();
    this.idle.check();
    return purged;
  }

  /** Cancels the timer and every running call; results arriving later are ignored. */
  close(): void {
    this.closed = true;
    this.timer?.unsubscribe();
    this.timer = null;
    for (const running of this.running) running.unsubscribe();
    this.running.clear();
    this.idle.check();
  }

  get inFlight(): number {
    return this.running.size;
  }

  get queueDepth(): number {
    return this.core.depth;
  }

  private pump(): void {
    if (this.closed) return;
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.pumpAgain = false;
        for (let batch = this.nextBatch(); batch !== null; batch = this.nextBatch()) this.start(batch);
      } while (this.pumpAgain && !this.closed);
    } finally {
      this.pumping = false;
    }
    this.armTimer();
    this.idle.check();
  }

  private nextBatch(): T[] | null {
    return this.closed ? null : this.core.nextBatch(this.scheduler.now());
  }

  private start(batch: readonly T[]): void {
    const startedAtMs = this.scheduler.now();
    const holder = new Subscription();
    this.running.add(holder);
    runOneCall(
      holder,
      () => this.hooks.run(batch),
      {
        result: (result) => this.hooks.onResult(batch, result, startedAtMs),
        error: (error) => this.hooks.onError(batch, error),
        settled: () => {
          this.running.delete(holder);
          this.core.complete();
          this.pump();
        },
      },
      () => new TsnError('E_PIPELINE_EMBED', 'an inference call completed without a result'),
    );
  }

  private armTimer(): void {
    if (this.closed) return;
    const deadline = this.core.nextDeadlineMs();
    if (deadline === null) {
      this.cancelTimer();
      return;
    }
    if (this.timer !== null && this.timerAtMs === deadline) return;
    this.cancelTimer();
    this.timerAtMs = deadline;
    const delayMs = Math.max(0, deadline - this.scheduler.now());
    this.timer = this.scheduler.schedule(() => {
      this.timer = null;
      this.timerAtMs = Number.NaN;
      this.pump();
    }, delayMs);
  }

  private cancelTimer(): void {
    this.timer?.unsubscribe();
    this.timer = null;
    this.timerAtMs = Number.NaN;
  }
}
