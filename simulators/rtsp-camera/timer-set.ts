/** Owns every timer the simulator starts, so close() can clear them all and leave nothing running. */
export class TimerSet {
  private readonly timeouts = new Set<NodeJS.Timeout>();
  private readonly intervals = new Set<NodeJS.Timeout>();
  private readonly pendingDelays = new Set<() => void>();

  after(ms: number, action: () => void): () => void {
    const timer = setTimeout(() => {
      this.timeouts.delete(timer);
      action();
    }, ms);
    this.timeouts.add(timer);
    return () => {
      clearTimeout(timer);
      this.timeouts.delete(timer);
    };
  }

  every(ms: number, action: () => void): void {
    this.intervals.add(setInterval(action, ms));
  }

  /** Resolves after ms, or at once when clearAll() runs (so pending requests finish during close). */
  delay(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        cancel();
        this.pendingDelays.delete(done);
        resolve();
      };
      const cancel = this.after(ms, done);
      this.pendingDelays.add(done);
    });
  }

  clearAll(): void {
    for (const t of this.timeouts) clearTimeout(t);
    for (const t of this.intervals) clearInterval(t);
    this.timeouts.clear();
    this.intervals.clear();
    for (const done of [...this.pendingDelays]) done();
  }
}
