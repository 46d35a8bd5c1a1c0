/**
 * A FIFO with a fixed capacity that drops its oldest item when full. Items are compared by identity, so a
 * consumer holding the head can tell whether it was dropped while it was away (removeHead(item)).
 */
export class BoundedQueue<T> {
  private items: (T | undefined)[];
  private head = 0;
  private size = 0;
  private droppedCount = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError(`capacity must be >= 1, got ${capacity}`);
    this.items = new Array<T | undefined>(capacity);
  }

  get length(): number {
    return this.size;
  }

  /** Total items dropped because the queue was full. */
  get dropped(): number {
    return this.droppedCount;
  }

  /** Appends; when full, first drops the oldest item and returns it. */
  push(item: T): T | undefined {
    let dropped: T | undefined;
    if (this.size === this.capacity) {
      dropped = this.shift();
      this.droppedCount += 1;
    }
    this.items[(this.head + this.size) % this.capacity] = item;
    this.size += 1;
    return dropped;
  }

  peek(): T | undefined {
    return this.size === 0 ? undefined : this.items[this.head];
  }

  shift(): T | undefined {
    if (this.size === 0) return undefined;
    const item = this.items[this.head];
    this.items[this.head] = undefined;
    this.head = (this.head + 1) % this.capacity;
    this.size -= 1;
    return item;
  }

  /** Removes `item` only if it is still the head (it may have been dropped meanwhile). */
  removeHead(item: T): boolean {
    if (this.size === 0 || this.items[this.head] !== item) return false;
    this.shift();
    return true;
  }

  clear(): void {
    this.items = new Array<T | undefined>(this.capacity);
    this.head = 0;
    this.size = 0;
  }
}
