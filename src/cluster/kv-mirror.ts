// A local mirror of a JetStream KV bucket, kept current by the bucket's own watcher: reads are map lookups,
// and every entry carries the revision that conditional writes need.
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

  constructor(private readonly kv: KV) {}

  /** Resolves once the bucket's current contents are mirrored. */
  async start(): Promise<void> {
    let initialised!: () => void;
    const ready = new Promise<void>((resolve) => (initialised = resolve));
    this.watcher = await this.kv.watch({ key: '>', initializedFn: () => initialised() });
    const watcher = this.watcher;
    this.pump = (async () => {
      for await (const entry of watcher) this.apply(entry);
    })();
    await ready;
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
    this.watcher?.stop();
    await this.pump?.catch(() => undefined);
  }

  private apply(entry: KvEntry): void {
    if (entry.operation === 'PUT')
      this.entries.set(entry.key, { value: entry.value, revision: entry.revision });
    else this.entries.delete(entry.key);
    for (const listener of this.listeners) listener(entry.key);
  }
}
