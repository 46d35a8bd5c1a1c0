// Camera ownership as a pure decision: given what the registry and the lease bucket say now, which leases
// this edge should create, renew or release, and which cameras it must start or stop. No I/O and no clock:
// the adapter (KV reads/writes, revision-checked) feeds it and carries the actions out.
import { preferredOwner } from './rendezvous.js';
import { RevisionWatch } from './revision-watch.js';

export interface LeaseView {
  readonly owner: string;
  /** The KV revision of the lease entry: every update is conditional on it. */
  readonly revision: number;
}

export interface LeasePlannerOptions {
  readonly leaseTtlMs: number;
  /** How often an owner rewrites its lease; well under leaseTtlMs (default a third of it). */
  readonly renewEveryMs?: number;
}

export interface PlanInput {
  readonly nowMs: number;
  readonly self: string;
  /** SIGTERM: hand every camera over and take none. */
  readonly draining: boolean;
  /** Edges whose heartbeat is fresh, this one included while it is not draining. */
  readonly liveEdges: readonly string[];
  /** Enabled cameras in the registry. */
  readonly cameras: readonly string[];
  readonly leases: ReadonlyMap<string, LeaseView>;
  /** Cameras this edge runs right now. */
  readonly running: ReadonlySet<string>;
}

export type LeaseAction =
  /** Write self as owner: create the key (revision null) or update it at that revision. */
  | { readonly kind: 'acquire'; readonly cameraId: string; readonly revision: number | null }
  | { readonly kind: 'renew'; readonly cameraId: string; readonly revision: number }
  /** Delete the lease at that revision so the preferred owner takes the camera at once. */
  | { readonly kind: 'release'; readonly cameraId: string; readonly revision: number }
  | { readonly kind: 'start'; readonly cameraId: string }
  /** Stop running the camera: it is not (or may no longer be) ours. */
  | { readonly kind: 'stop'; readonly cameraId: string; readonly reason: StopReason };

export type StopReason = 'removed' | 'handover' | 'lost' | 'draining';

export class LeasePlanner {
  private readonly ttlMs: number;
  private readonly renewEveryMs: number;
  private readonly leases = new RevisionWatch();
  private readonly unleasedSinceMs = new Map<string, number>();
  private readonly confirmedAtMs = new Map<string, number>();
  /** Cameras taken as a fallback, with the preferred edge that did not take them then. */
  private readonly fallbackFrom = new Map<string, string>();

  constructor(options: LeasePlannerOptions) {
    this.ttlMs = options.leaseTtlMs;
    this.renewEveryMs = options.renewEveryMs ?? Math.floor(options.leaseTtlMs / 3);
  }

  /** The adapter reports each successful acquire or renew (the time the KV accepted it). */
  confirmed(cameraId: string, nowMs: number): void {
    this.confirmedAtMs.set(cameraId, nowMs);
  }

  /** The adapter reports a release, a stop or a failed conditional write: the lease is not ours. */
  forget(cameraId: string): void {
    this.confirmedAtMs.delete(cameraId);
    this.fallbackFrom.delete(cameraId);
  }

  plan(input: PlanInput): LeaseAction[] {
    this.observe(input);
    const wanted = new Set(input.cameras);
    const ids = new Set([...input.cameras, ...input.running, ...this.confirmedAtMs.keys()]);
    for (const [id, lease] of input.leases) if (lease.owner === input.self) ids.add(id);
    const actions: LeaseAction[] = [];
    for (const id of [...ids].sort()) {
      actions.push(...(wanted.has(id) ? this.planWanted(id, input) : this.planRemoved(id, input)));
    }
    return actions;
  }

  private observe(input: PlanInput): void {
    const revisions = new Map([...input.leases].map(([id, l]) => [id, l.revision] as const));
    this.leases.observe(revisions, input.nowMs);
    for (const id of input.cameras) {
      if (input.leases.has(id)) this.unleasedSinceMs.delete(id);
      else if (!this.unleasedSinceMs.has(id)) this.unleasedSinceMs.set(id, input.nowMs);
    }
    for (const id of [...this.unleasedSinceMs.keys()]) {
      if (!input.cameras.includes(id)) this.unleasedSinceMs.delete(id);
    }
  }

  private planRemoved(id: string, input: PlanInput): LeaseAction[] {
    const actions: LeaseAction[] = [];
    if (input.running.has(id)) actions.push({ kind: 'stop', cameraId: id, reason: 'removed' });
    const lease = input.leases.get(id);
    if (lease?.owner === input.self)
      actions.push({ kind: 'release', cameraId: id, revision: lease.revision });
    return actions;
  }

  private planWanted(id: string, input: PlanInput): LeaseAction[] {
    const lease = input.leases.get(id);
    if (lease === undefined) return this.planUnleased(id, input);
    if (lease.owner === input.self) return this.planOwned(id, lease, input);
    return this.planOthers(id, lease, input);
  }

  private planOwned(id: string, lease: LeaseView, input: PlanInput): LeaseAction[] {
    const running = input.running.has(id);
    const confirmedAt = this.confirmedAtMs.get(id);
    // Our renewals have not reached the KV for a whole TTL: another edge may own it by now.
    if (confirmedAt === undefined || input.nowMs - confirmedAt >= this.ttlMs) {
      if (running) return [{ kind: 'stop', cameraId: id, reason: 'lost' }];
      return this.canTake(id, input) ? [{ kind: 'acquire', cameraId: id, revision: lease.revision }] : [];
    }
    const handover = input.draining ? 'draining' : this.preferredElsewhere(id, input) ? 'handover' : null;
    if (handover !== null) {
      const stop: LeaseAction[] = running ? [{ kind: 'stop', cameraId: id, reason: handover }] : [];
      return [...stop, { kind: 'release', cameraId: id, revision: lease.revision }];
    }
    const actions: LeaseAction[] = running ? [] : [{ kind: 'start', cameraId: id }];
    if (input.nowMs - confirmedAt >= this.renewEveryMs) {
      actions.push({ kind: 'renew', cameraId: id, revision: lease.revision });
    }
    return actions;
  }

  private planOthers(id: string, lease: LeaseView, input: PlanInput): LeaseAction[] {
    if (input.running.has(id)) return [{ kind: 'stop', cameraId: id, reason: 'lost' }];
    if (!this.leases.expired(id, input.nowMs, this.ttlMs) || !this.canTake(id, input)) return [];
    return [{ kind: 'acquire', cameraId: id, revision: lease.revision }];
  }

  private planUnleased(id: string, input: PlanInput): LeaseAction[] {
    if (input.running.has(id)) return [{ kind: 'stop', cameraId: id, reason: 'lost' }];
    return this.canTake(id, input) ? [{ kind: 'acquire', cameraId: id, revision: null }] : [];
  }

  /**
   * The preferred edge takes a free camera at once; any other edge only after the camera has been free
   * (expired or unleased) for a further TTL, so a preferred edge that is slow or stuck cannot strand it.
   */
  private canTake(id: string, input: PlanInput): boolean {
    if (input.draining) return false;
    const preferred = preferredOwner(id, input.liveEdges);
    if (preferred === input.self) return true;
    const freeForMs = this.freeForMs(id, input);
    if (freeForMs === undefined || freeForMs < this.ttlMs) return false;
    if (preferred !== undefined) this.fallbackFrom.set(id, preferred);
    return true;
  }

  private freeForMs(id: string, input: PlanInput): number | undefined {
    const lease = input.leases.get(id);
    if (lease === undefined) {
      const since = this.unleasedSinceMs.get(id);
      return since === undefined ? undefined : input.nowMs - since;
    }
    const age = this.leases.ageMs(id, input.nowMs);
    return age === undefined ? undefined : age - this.ttlMs;
  }

  /** A camera goes back to its preferred edge, unless that edge is the one that failed to take it. */
  private preferredElsewhere(id: string, input: PlanInput): boolean {
    const preferred = preferredOwner(id, input.liveEdges);
    return preferred !== undefined && preferred !== input.self && preferred !== this.fallbackFrom.get(id);
  }
}
