// The thin shell around LeasePlanner: on every tick it reads the mirrored lease bucket, asks the planner,
// and carries the actions out with revision-checked KV writes. A write that loses a race is not an error:
// the planner forgets the lease and the next tick sees who won.
import type { KV } from 'nats';
import { asyncScheduler, timer, type SchedulerLike, type Subscription } from 'rxjs';
import type { KvMirror } from './kv-mirror.js';
import { LeasePlanner, type LeaseAction, type LeaseView, type StopReason } from './lease-planner.js';

export interface LeaseAgentDeps {
  readonly self: string;
  readonly kv: KV;
  readonly mirror: KvMirror;
  readonly leaseTtlMs: number;
  /** Planning interval (default leaseTtlMs / 6). */
  readonly tickMs?: number;
  liveEdges(nowMs: number): readonly string[];
  /** Enabled cameras in the registry. */
  cameras(): readonly string[];
  startCamera(cameraId: string): void;
  stopCamera(cameraId: string, reason: StopReason): Promise<void>;
  /** A failed KV write (usually a lost race: harmless, the next tick sees the winner) or round. */
  onError(error: unknown, action?: LeaseAction): void;
  readonly scheduler?: SchedulerLike;
}

export class LeaseAgent {
  private readonly planner: LeasePlanner;
  private readonly running = new Set<string>();
  /** Our own last accepted writes: the mirror's watcher may not have delivered them yet. */
  private readonly written = new Map<string, number>();
  private readonly scheduler: SchedulerLike;
  private timer: Subscription | undefined;
  private ticking: Promise<void> = Promise.resolve();
  private draining = false;

  constructor(private readonly deps: LeaseAgentDeps) {
    this.planner = new LeasePlanner({ leaseTtlMs: deps.leaseTtlMs });
    this.scheduler = deps.scheduler ?? asyncScheduler;
  }

  start(): void {
    const tickMs = this.deps.tickMs ?? Math.max(100, Math.floor(this.deps.leaseTtlMs / 6));
    this.timer = timer(0, tickMs, this.scheduler).subscribe(() => {
      this.ticking = this.ticking.then(() => this.tick()).catch((error: unknown) => this.deps.onError(error));
    });
  }

  owned(): readonly string[] {
    return [...this.running].sort();
  }

  /** One planning round (exposed for tests and for an immediate round after a registry change). */
  async tick(): Promise<void> {
    const nowMs = this.scheduler.now();
    const actions = this.planner.plan({
      nowMs,
      self: this.deps.self,
      draining: this.draining,
      liveEdges: this.draining ? [] : this.deps.liveEdges(nowMs),
      cameras: this.deps.cameras(),
      leases: this.leases(),
      running: this.running,
    });
    for (const action of actions) {
      try {
        await this.apply(action, nowMs);
      } catch (error) {
        this.planner.forget(action.cameraId);
        this.written.delete(action.cameraId);
        this.deps.onError(error, action);
      }
    }
  }

  /** SIGTERM: stop every camera and release its lease so the next owner starts at once. */
  async drain(): Promise<void> {
    this.timer?.unsubscribe();
    await this.ticking;
    this.draining = true;
    await this.tick();
  }

  close(): void {
    this.timer?.unsubscribe();
  }

  private leases(): Map<string, LeaseView> {
    const out = new Map<string, LeaseView>();
    for (const [id, entry] of this.deps.mirror.snapshot()) {
      out.set(id, { owner: new TextDecoder().decode(entry.value), revision: entry.revision });
    }
    for (const [id, revision] of this.written) {
      const seen = out.get(id);
      if (seen === undefined || seen.revision < revision) out.set(id, { owner: this.deps.self, revision });
      else if (seen.revision > revision) this.written.delete(id);
    }
    return out;
  }

  private async apply(action: LeaseAction, nowMs: number): Promise<void> {
    const { kv, self } = this.deps;
    switch (action.kind) {
      case 'start':
        this.running.add(action.cameraId);
        this.deps.startCamera(action.cameraId);
        return;
      case 'stop':
        this.running.delete(action.cameraId);
        this.planner.forget(action.cameraId);
        await this.deps.stopCamera(action.cameraId, action.reason);
        return;
      case 'release':
        this.planner.forget(action.cameraId);
        this.written.delete(action.cameraId);
        await kv.delete(action.cameraId, { previousSeq: action.revision });
        return;
      case 'acquire':
      case 'renew': {
        const revision =
          action.revision === null
            ? await kv.create(action.cameraId, self)
            : await kv.update(action.cameraId, self, action.revision);
        this.written.set(action.cameraId, revision);
        this.planner.confirmed(action.cameraId, nowMs);
        return;
      }
    }
  }
}
