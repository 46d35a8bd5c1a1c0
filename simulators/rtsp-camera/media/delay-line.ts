/**
 * A fixed delay in front of a camera's stream, without I/O or a clock of its own: items are pushed with
 * the time they arrived and taken once that time plus delayMs has come. Cameras that share one file
 * reader get their units in the same instant; a delay per camera puts their keyframes out of step, as
 * real cameras' are. Bounded: beyond maxItems the oldest item is dropped and counted.
 */
export class DelayLine<T> {
  private readonly queue: { readonly dueMs: number; readonly item: T }[] = [];
  private head = 0;
  private droppedCount = 0;

  constructor(
    readonly delayMs: number,
    private readonly maxItems: number,
  ) {}

  get size(): number {
    return this.queue.length - this.head;
  }

  get dropped(): number {
    return this.droppedCount;
  }

  /** When the oldest item is due, or undefined when empty. */
  get nextDueMs(): number | undefined {
    return this.queue[this.head]?.dueMs;
  }

  push(item: T, nowMs: number): void {
    if (this.size >= this.maxItems) {
      this.head++;
      this.droppedCount++;
    }
    this.queue.push({ dueMs: nowMs + this.delayMs, item });
    this.compact();
  }

  /** The items due at nowMs, oldest first, removed from the line. */
  takeDue(nowMs: number): T[] {
    const due: T[] = [];
    while (this.head < this.queue.length && this.queue[this.head]!.dueMs <= nowMs) {
      due.push(this.queue[this.head]!.item);
      this.head++;
    }
    this.compact();
    return due;
  }

  clear(): void {
    this.queue.length = 0;
    this.head = 0;
  }

  // Once the taken prefix dominates, cut it off, so the array does not grow with the stream.
  private compact(): void {
    if (this.head > 64 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
  }
}
