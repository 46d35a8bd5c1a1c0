// A local mirror of a JetStream KV bucket, kept current by the bucket's own watcher: reads are map lookups,
// and every entry carries the revision that conditional writes need.
//
// A watcher is an ephemeral consumer on one NATS node. When that node dies the watcher goes silent, and
// nats.js only notices after two missed idle heartbeats (10 s or more), then may fail to recreate it. So the
// owner calls verify() on its heartbeat: a mirror that has not caught up with the bucket's last revision as
// it stood at the previous check is resumed from the last revision it applied (history-1 buckets keep the
// latest entry or delete marker of every key, so nothing it missed is lost).
import type { KV, KvEntry, QueuedIterator } from 'nats';

export interface MirroredEntry {
  readonly value: Uint8Array;
  readonly revision: number;
}

export class KvMirror {
  private readonly entries = new Map<string, MirroredEntry>();
  private watcher: QueuedIterator<KvEntry> | undefined;
  private pump: Promise<void> | undefined;
  private readonly listeners = new Set<(key: string) => void>();
  /** Which watcher may apply entries: a stopped one can still hold queued entries. */
  private generation = 0;
  private appliedRevision = 0;
  /** The bucket's last revision at the previous verify(), while this mirror had not reached it. */
  private serverRevision: number | undefined;
  private pumpEnded = false;
  private verifying: Promise<boolean> | undefined;
  private closed = false;
  /** Watchers replaced because they fell behind or ended. */
  restarts = 0;

  constructor(private readonly kv: KV) {}

  /** Resolves once the bucket's current contents are mirrored. */
  async start(): Promise<void> {
    await this.watch(undefined);
  }

  /**
   * Resumes a watcher that ended or has not delivered what the bucket held at the previous call, then
   * records the bucket's last revision for the next call. Returns whether the watcher was replaced.
   */
  verify(): Promise<boolean> {
    // One check at a time: a status request can outlast the heartbeat while a node is failing.
    return (this.verifying ??= this.check().finally(() => (this.verifying = undefined)));
  }

  private async check(): Promise<boolean> {
    if (this.closed || this.watcher === undefined) return false;
    const behind = this.serverRevision !== undefined && this.appliedRevision < this.serverRevision;
    if (this.pumpEnded || behind) {
      this.serverRevision = undefined;
      this.watcher.stop();
      await this.watch(this.appliedRevision + 1);
      this.restarts++;
      return true;
    }
    const last = (await this.kv.status()).streamInfo.state.last_seq;
    this.serverRevision = last > this.appliedRevision ? last : undefined;
    return false;
  }

  snapshot(): ReadonlyMap<string, MirroredEntry> {
    return new Map(this.entries);
  }

  get(key: string): MirroredEntry | undefined {
    return this.entries.get(key);
  }

  /** Called after every change the watcher delivers; returns the unsubscribe function. */
  onChange(listener: (key: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves once the key's entry satisfies the test (true) or after timeoutMs (false). */
  async until(
    key: string,
    test: (entry: MirroredEntry | undefined) => boolean,
    timeoutMs: number,
  ): Promise<boolean> {
    if (test(this.entries.get(key))) return true;
    return new Promise<boolean>((resolve) => {
      const done = (ok: boolean) => {
        clearTimeout(timer);
        off();
        resolve(ok);
      };
      const timer = setTimeout(() => done(false), timeoutMs);
      const off = this.onChange((changed) => {
        if (changed === key && test(this.entries.get(key))) done(true);
      });
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.watcher?.stop();
    await this.pump;
  }

  /** A first watch waits for the bucket's contents; a resumed one only for its consumer to exist. */
  private async watch(resumeFromRevision: number | undefined): Promise<void> {
    let initialised!: () => void;
    const ready = new Promise<void>((resolve) => (initialised = resolve));
    const watcher = await this.kv.watch({
      key: '>',
      initializedFn: () => initialised(),
      ...(resumeFromRevision === undefined ? {} : { resumeFromRevision }),
    });
    const generation = ++this.generation;
    this.watcher = watcher;
    this.pumpEnded = false;
    this.pump = (async () => {
      for await (const entry of watcher) {
        if (generation !== this.generation) break;
        this.apply(entry);
      }
    })()
      // An ended watcher (its consumer could not be recreated) is resumed by the next verify().
      .catch(() => undefined)
      .finally(() => {
        if (generation === this.generation) this.pumpEnded = true;
      });
    if (resumeFromRevision === undefined) await ready;
  }

  private apply(entry: KvEntry): void {
    this.appliedRevision = Math.max(this.appliedRevision, entry.revision);
    if (entry.operation === 'PUT')
      this.entries.set(entry.key, { value: entry.value, revision: entry.revision });
    else this.entries.delete(entry.key);
    for (const listener of this.listeners) listener(entry.key);
  }
}
