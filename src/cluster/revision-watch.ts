// Liveness without trusting other machines' clocks: a key is fresh while its revision keeps changing, as
// seen on OUR clock. A lease or heartbeat whose revision has not moved for ttlMs is expired, whatever time
// its writer believed it was.

export class RevisionWatch {
  private readonly seen = new Map<string, { revision: number; changedAtMs: number }>();

  /** Records the current revisions (absent keys are forgotten). Call on every poll or watch update. */
  observe(revisions: ReadonlyMap<string, number>, nowMs: number): void {
    for (const [key, revision] of revisions) {
      const previous = this.seen.get(key);
      if (previous === undefined || previous.revision !== revision) {
        this.seen.set(key, { revision, changedAtMs: nowMs });
      }
    }
    for (const key of [...this.seen.keys()]) if (!revisions.has(key)) this.seen.delete(key);
  }

  /** How long the key's revision has stood still; undefined for a key never seen. */
  ageMs(key: string, nowMs: number): number | undefined {
    const entry = this.seen.get(key);
    return entry === undefined ? undefined : nowMs - entry.changedAtMs;
  }

  /** True when the key has not changed for ttlMs (a key never seen is not expired: it is absent). */
  expired(key: string, nowMs: number, ttlMs: number): boolean {
    const age = this.ageMs(key, nowMs);
    return age !== undefined && age >= ttlMs;
  }

  /** The keys whose revision moved within ttlMs. */
  fresh(nowMs: number, ttlMs: number): string[] {
    return [...this.seen.entries()].filter(([, e]) => nowMs - e.changedAtMs < ttlMs).map(([k]) => k);
  }
}
