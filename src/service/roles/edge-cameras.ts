// Cameras of an edge instance: the registry lives in a JetStream KV bucket (any instance's HTTP API reads
// and writes it), and this edge runs a camera only while it holds the camera's lease (LeaseAgent). A spec
// changed in the registry restarts the camera where it runs; a camera that leaves this edge ends its open
// episodes with reason 'handover' before it stops.
import type { Logger } from 'pino';
import type { CameraManager, CameraView } from '../../api/index.js';
import {
  cameraSchema,
  resolveCamera,
  type CameraDefaults,
  type CameraPatch,
  type CameraSpec,
} from '../../config/index.js';
import type { ClusterNode } from '../../cluster/cluster-node.js';
import { LeaseAgent } from '../../cluster/lease-agent.js';
import type { StopReason } from '../../cluster/lease-planner.js';
import type { MirroredEntry } from '../../cluster/kv-mirror.js';
import type { EpisodeEndReason } from '../../domain/index.js';
import { TsnError } from '../../errors/index.js';
import { mergePatch, type CameraRuntime, type StartCamera } from '../camera-manager.js';

export interface EdgeCamerasOptions {
  readonly node: ClusterNode;
  readonly leaseTtlMs: number;
  readonly defaults: CameraDefaults;
  readonly maxCameras: number;
  readonly startCamera: StartCamera;
  /** Ends a camera's open episodes (the pipeline's endEpisodes) before its runtime stops. */
  readonly endEpisodes: (cameraId: string, reason: EpisodeEndReason) => void;
  readonly now: () => number;
  readonly logger: Logger;
  readonly onError: (error: unknown, where: string) => void;
  /** Throws E_SOURCE_URL for a URL no edge could open (a POST or PATCH then gets a 400). */
  readonly checkUrl?: (url: string) => void;
  /** Called after a camera started here (the episode ledger adopts its record). */
  readonly onStarted?: (cameraId: string) => void;
  /** Awaited after a camera's episodes ended and before its lease goes (the ledger's record is written). */
  readonly episodesEnded?: () => Promise<void>;
  /** false (role infer): the API reads and writes the registry, but this instance runs no camera. */
  readonly runsCameras?: boolean;
}

interface Running {
  readonly runtime: CameraRuntime;
  /** Registry revision of the spec it runs. */
  readonly revision: number;
  readonly sinceMs: number;
}

/** How long a write waits to show up in this instance's mirror (read-your-writes for the API). */
const MIRROR_WAIT_MS = 3000;

export class EdgeCameras implements CameraManager {
  private readonly running = new Map<string, Running>();
  private readonly agent: LeaseAgent;
  private restarts: Promise<unknown> = Promise.resolve();
  handovers = 0;

  constructor(private readonly options: EdgeCamerasOptions) {
    const { node } = options;
    this.agent = new LeaseAgent({
      self: node.instanceId,
      kv: node.buckets.leases,
      mirror: node.mirrors.leases,
      leaseTtlMs: options.leaseTtlMs,
      liveEdges: (nowMs) => node.membership.liveEdges(nowMs),
      cameras: () => this.wantedCameras(),
      startCamera: (id) => this.startOne(id),
      stopCamera: (id, reason) => this.stopOne(id, reason),
      onError: (error, action) => {
        // A lost KV race is expected (the next tick sees the winner): only debug.
        options.logger.debug({ err: (error as Error).message, action }, 'lease action failed');
      },
    });
  }

  /** Seeds the registry with the configured cameras (those not in it yet) and starts taking leases. */
  async start(seed: readonly CameraSpec[]): Promise<void> {
    const kv = this.options.node.buckets.cameras;
    for (const spec of seed) {
      if (this.options.node.mirrors.cameras.get(spec.id) !== undefined) continue;
      await kv.create(spec.id, JSON.stringify(spec)).catch(() => undefined);
    }
    if (this.options.runsCameras !== false) this.agent.start();
  }

  /** Cameras this edge runs now, with how long it has held each. */
  owned(): { id: string; sinceMs: number }[] {
    return [...this.running].map(([id, r]) => ({ id, sinceMs: r.sinceMs }));
  }

  list(): CameraView[] {
    return [...this.registry()].map(([id, { spec }]) => this.view(id, spec));
  }

  get(id: string): CameraView | undefined {
    const entry = this.registry().get(id);
    return entry === undefined ? undefined : this.view(id, entry.spec);
  }

  async add(spec: CameraSpec): Promise<CameraView> {
    const mirror = this.options.node.mirrors.cameras;
    if (mirror.get(spec.id) !== undefined) throw conflict(spec.id);
    this.checkLimit(this.registry().size + 1);
    this.check(spec);
    let revision: number;
    try {
      revision = await this.options.node.buckets.cameras.create(spec.id, JSON.stringify(spec));
    } catch (cause) {
      throw conflict(spec.id, cause);
    }
    await mirror.until(spec.id, (e) => (e?.revision ?? 0) >= revision, MIRROR_WAIT_MS);
    void this.agent.tick().catch(() => undefined);
    return this.view(spec.id, spec);
  }

  async patch(id: string, patch: CameraPatch): Promise<CameraView> {
    const mirror = this.options.node.mirrors.cameras;
    const current = mirror.get(id);
    const spec = current === undefined ? undefined : parseSpec(current);
    if (current === undefined || spec === undefined) throw notFound(id);
    const next = mergePatch(spec, patch);
    this.check(next);
    let revision: number;
    try {
      revision = await this.options.node.buckets.cameras.update(id, JSON.stringify(next), current.revision);
    } catch (cause) {
      throw new TsnError('E_API_CONFLICT', `camera "${id}" changed meanwhile; read it again and retry`, {
        cause,
        context: { camera: id },
      });
    }
    await mirror.until(id, (e) => (e?.revision ?? 0) >= revision, MIRROR_WAIT_MS);
    void this.agent.tick().catch(() => undefined);
    return this.view(id, next);
  }

  async remove(id: string): Promise<void> {
    const mirror = this.options.node.mirrors.cameras;
    if (mirror.get(id) === undefined) throw notFound(id);
    await this.options.node.buckets.cameras.delete(id);
    await mirror.until(id, (e) => e === undefined, MIRROR_WAIT_MS);
    void this.agent.tick().catch(() => undefined);
  }

  /** SIGTERM: every camera stops (episodes end 'handover') and its lease is released for the next edge. */
  async stopIntake(): Promise<void> {
    // Out of the membership first, so the survivors' planners prefer each other and start at once.
    await this.options.node.leave();
    if (this.options.runsCameras !== false) await this.agent.drain();
    await this.restarts.catch(() => undefined);
  }

  async close(): Promise<void> {
    this.agent.close();
    await this.restarts.catch(() => undefined);
    const all = [...this.running.values()];
    this.running.clear();
    await Promise.all(all.map((r) => r.runtime.close()));
  }

  private registry(): Map<string, { spec: CameraSpec; revision: number }> {
    const out = new Map<string, { spec: CameraSpec; revision: number }>();
    for (const [id, entry] of this.options.node.mirrors.cameras.snapshot()) {
      const spec = parseSpec(entry);
      if (spec !== undefined) out.set(id, { spec, revision: entry.revision });
    }
    return out;
  }

  /** The lease agent's view of the registry; also restarts running cameras whose spec changed. */
  private wantedCameras(): string[] {
    const registry = this.registry();
    for (const [id, r] of this.running) {
      const now = registry.get(id);
      if (now !== undefined && now.spec.enabled && now.revision !== r.revision) this.restart(id);
    }
    return [...registry].filter(([, e]) => e.spec.enabled).map(([id]) => id);
  }

  private restart(id: string): void {
    const r = this.running.get(id);
    if (r === undefined) return;
    this.running.delete(id);
    this.restarts = this.restarts
      .then(() => r.runtime.close())
      // The lease may have gone meanwhile: only a camera the agent still runs starts again.
      .then(() => (this.agent.owned().includes(id) ? this.startOne(id) : undefined))
      .catch((error: unknown) => this.options.onError(error, `camera:${id}`));
  }

  private startOne(id: string): void {
    const entry = this.registry().get(id);
    if (entry === undefined || this.running.has(id)) return;
    try {
      const runtime = this.options.startCamera(resolveCamera(this.options.defaults, entry.spec));
      this.running.set(id, { runtime, revision: entry.revision, sinceMs: this.options.now() });
      this.options.logger.info({ camera: id }, 'camera lease taken: started');
      this.options.onStarted?.(id);
    } catch (error) {
      this.options.onError(error, `camera:${id}`);
    }
  }

  private async stopOne(id: string, reason: StopReason): Promise<void> {
    const r = this.running.get(id);
    this.running.delete(id);
    if (r === undefined) return;
    if (reason !== 'removed') this.handovers++;
    this.options.endEpisodes(id, reason === 'removed' ? 'camera-removed' : 'handover');
    await r.runtime.close();
    await this.options.episodesEnded?.();
    this.options.logger.info({ camera: id, reason }, 'camera stopped on this edge');
  }

  private view(id: string, spec: CameraSpec): CameraView {
    const r = this.running.get(id);
    const status = r?.runtime.status() ?? { state: 'stopped' as const, sinceMs: this.options.now() };
    const stats = r?.runtime.stats() ?? { fps: 0, lastPrediction: null, counters: {} };
    const lease = this.options.node.mirrors.leases.get(id);
    const owner = lease === undefined ? null : new TextDecoder().decode(lease.value);
    return { spec, status, ...stats, owner };
  }

  private check(spec: CameraSpec): void {
    resolveCamera(this.options.defaults, spec);
    this.options.checkUrl?.(spec.url);
    if (spec.substreamUrl !== undefined) this.options.checkUrl?.(spec.substreamUrl);
  }

  private checkLimit(cameras: number): void {
    if (cameras <= this.options.maxCameras) return;
    throw new TsnError(
      'E_SOURCE_CAMERA_LIMIT',
      `at most ${this.options.maxCameras} cameras (config sources.maxCameras); remove one or raise the limit`,
      { context: { maxCameras: this.options.maxCameras } },
    );
  }
}

function parseSpec(entry: MirroredEntry): CameraSpec | undefined {
  try {
    const parsed = cameraSchema.safeParse(JSON.parse(new TextDecoder().decode(entry.value)));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

function conflict(id: string, cause?: unknown): TsnError {
  return new TsnError('E_API_CONFLICT', `camera "${id}" exists; PATCH /v1/cameras/${id} changes it`, {
    cause,
    context: { camera: id },
  });
}

function notFound(id: string): TsnError {
  return new TsnError('E_API_NOT_FOUND', `no camera "${id}"; GET /v1/cameras lists them`, {
    context: { camera: id },
  });
}
