// A deterministic cluster in virtual time: edges run LeasePlanner against an in-memory KV with the same
// revision-checked create/update/delete semantics as a JetStream KV bucket.
import { LeasePlanner, type LeaseView } from '../../../src/cluster/lease-planner.js';

export class FakeLeaseKv {
  private revision = 0;
  readonly entries = new Map<string, LeaseView>();

  create(id: string, owner: string): boolean {
    if (this.entries.has(id)) return false;
    this.entries.set(id, { owner, revision: ++this.revision });
    return true;
  }

  update(id: string, owner: string, revision: number): boolean {
    if (this.entries.get(id)?.revision !== revision) return false;
    this.entries.set(id, { owner, revision: ++this.revision });
    return true;
  }

  delete(id: string, revision: number): boolean {
    if (this.entries.get(id)?.revision !== revision) return false;
    this.entries.delete(id);
    return true;
  }
}

export class SimEdge {
  readonly planner: LeasePlanner;
  readonly running = new Set<string>();
  alive = true;
  draining = false;

  constructor(
    readonly id: string,
    leaseTtlMs: number,
  ) {
    this.planner = new LeasePlanner({ leaseTtlMs });
  }

  step(kv: FakeLeaseKv, cameras: readonly string[], liveEdges: readonly string[], nowMs: number): void {
    if (!this.alive) return;
    const actions = this.planner.plan({
      nowMs,
      self: this.id,
      draining: this.draining,
      liveEdges: this.draining ? liveEdges.filter((e) => e !== this.id) : liveEdges,
      cameras,
      leases: new Map(kv.entries),
      running: this.running,
    });
    for (const a of actions) {
      if (a.kind === 'start') this.running.add(a.cameraId);
      else if (a.kind === 'stop') {
        this.running.delete(a.cameraId);
        this.planner.forget(a.cameraId);
      } else if (a.kind === 'release') {
        kv.delete(a.cameraId, a.revision);
        this.planner.forget(a.cameraId);
      } else {
        const ok =
          a.kind === 'renew' || a.revision !== null
            ? kv.update(a.cameraId, this.id, a.revision as number)
            : kv.create(a.cameraId, this.id);
        if (ok) this.planner.confirmed(a.cameraId, nowMs);
        else this.planner.forget(a.cameraId);
      }
    }
  }
}

export class SimCluster {
  readonly kv = new FakeLeaseKv();
  nowMs = 0;
  /** Longest time any camera has been running on two edges at once, and the current streaks. */
  maxDoubleMs = 0;
  private readonly doubleSinceMs = new Map<string, number>();

  constructor(
    readonly edges: SimEdge[],
    public cameras: string[],
    readonly stepMs: number,
  ) {}

  liveEdges(): string[] {
    return this.edges.filter((e) => e.alive && !e.draining).map((e) => e.id);
  }

  run(durationMs: number): void {
    const end = this.nowMs + durationMs;
    while (this.nowMs < end) {
      this.nowMs += this.stepMs;
      const live = this.liveEdges();
      for (const edge of this.edges) edge.step(this.kv, this.cameras, live, this.nowMs);
      this.trackDoubles();
    }
  }

  owners(cameraId: string): string[] {
    return this.edges.filter((e) => e.alive && e.running.has(cameraId)).map((e) => e.id);
  }

  private trackDoubles(): void {
    for (const id of this.cameras) {
      if (this.owners(id).length > 1) {
        const since = this.doubleSinceMs.get(id) ?? this.nowMs;
        this.doubleSinceMs.set(id, since);
        this.maxDoubleMs = Math.max(this.maxDoubleMs, this.nowMs - since);
      } else this.doubleSinceMs.delete(id);
    }
  }
}
