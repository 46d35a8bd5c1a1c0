// Who is alive: every instance rewrites its own entry in the instances bucket on a heartbeat; an instance
// whose entry has not changed for the TTL (on the reader's clock) is gone.
import type { KV } from 'nats';
import type { KvMirror } from './kv-mirror.js';
import { RevisionWatch } from './revision-watch.js';

export type ClusterRole = 'all' | 'edge' | 'infer';

export interface InstanceInfo {
  readonly id: string;
  readonly role: ClusterRole;
  readonly models: readonly string[];
  readonly cameras: readonly string[];
  readonly load: { readonly queueDepth: number; readonly inFlight: number };
}

export class Membership {
  private readonly watch = new RevisionWatch();

  constructor(
    private readonly kv: KV,
    private readonly mirror: KvMirror,
    private readonly ttlMs: number,
  ) {}

  /** Publishes this instance's entry (every heartbeat, whether or not anything changed). */
  async beat(info: InstanceInfo): Promise<void> {
    await this.kv.put(info.id, JSON.stringify(info));
  }

  async leave(id: string): Promise<void> {
    await this.kv.delete(id);
  }

  /** The live instances, with how long ago each last beat (on this clock). */
  live(nowMs: number): { readonly info: InstanceInfo; readonly ageMs: number }[] {
    const entries = this.mirror.snapshot();
    this.watch.observe(new Map([...entries].map(([k, e]) => [k, e.revision] as const)), nowMs);
    const out: { info: InstanceInfo; ageMs: number }[] = [];
    for (const id of this.watch.fresh(nowMs, this.ttlMs)) {
      const entry = entries.get(id);
      if (entry === undefined) continue;
      const info = parseInstance(entry.value);
      if (info !== undefined) out.push({ info, ageMs: this.watch.ageMs(id, nowMs) ?? 0 });
    }
    return out.sort((a, b) => (a.info.id < b.info.id ? -1 : 1));
  }

  /** Live instances that own cameras (role edge or all). */
  liveEdges(nowMs: number): string[] {
    return this.live(nowMs)
      .filter((m) => m.info.role !== 'infer')
      .map((m) => m.info.id);
  }
}

function parseInstance(bytes: Uint8Array): InstanceInfo | undefined {
  try {
    const value = JSON.parse(new TextDecoder().decode(bytes)) as Partial<InstanceInfo>;
    return typeof value.id === 'string' && typeof value.role === 'string'
      ? (value as InstanceInfo)
      : undefined;
  } catch {
    return undefined;
  }
}
