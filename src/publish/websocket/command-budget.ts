// Token bucket for a WebSocket client's commands: `burst` at once, then `perSecond`. Pure: the caller
// passes the time, so tests need no clock.
export class CommandBudget {
  private tokens: number;
  private lastMs: number | undefined;

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
  ) {
    this.tokens = burst;
  }

  /** Spends one token; false when none is left (the command is over the rate). */
  take(nowMs: number): boolean {
    if (this.lastMs !== undefined) {
      const refill = ((nowMs - this.lastMs) / 1000) * this.perSecond;
      this.tokens = Math.min(this.burst, this.tokens + Math.max(0, refill));
    }
    this.lastMs = nowMs;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
