// Frames per second over a sliding time window, from frame arrival times. No clock of its own.
export class FpsMeter {
  private readonly times: number[] = [];

  constructor(
    private readonly windowMs = 5000,
    private readonly maxSamples = 512,
  ) {}

  tick(nowMs: number): void {
    this.times.push(nowMs);
    if (this.times.length > this.maxSamples) this.times.shift();
  }

  fps(nowMs: number): number {
    while (this.times.length > 0 && (this.times[0] as number) < nowMs - this.windowMs) this.times.shift();
    const first = this.times[0];
    if (first === undefined || this.times.length < 2) return 0;
    const spanMs = Math.max(nowMs - first, 1);
    return Math.round(((this.times.length - 1) * 1000 * 100) / spanMs) / 100;
  }
}
