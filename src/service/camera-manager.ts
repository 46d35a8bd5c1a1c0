// Cameras at run time: each camera owns one runtime (source + its slot in the shared pipeline); adding,
// changing or removing one touches only that runtime. Mutations run one at a time, and the camera list
// is persisted before a mutation resolves.
import type { CameraManager, CameraView, LastPrediction } from '../api/index.js';
import { validationError } from '../api/errors.js';
import {
  cameraSchema,
  resolveCamera,
  type CameraDefaults,
  type CameraPatch,
  type CameraSpec,
  type ResolvedCamera,
} from '../config/index.js';
import type { CameraStatus } from '../domain/index.js';
import { isTsnError, TsnError } from '../errors/index.js';

export interface CameraRuntimeStats {
  readonly fps: number;
  readonly lastPrediction: LastPrediction | null;
  readonly counters: Readonly<Record<string, number>>;
}

/** One running camera. close() stops it and releases everything it holds. */
export interface CameraRuntime {
  status(): CameraStatus;
  stats(): CameraRuntimeStats;
  /** Shutdown step 1: stop the source (no new frames) but keep the camera's pipeline slot draining. */
  stopIntake(): Promise<void>;
  close(): Promise<void>;
}

/** Starts a camera; throws a TsnError (E_SOURCE_*, E_PIPELINE_CONFIG) when its settings are unusable. */
export type StartCamera = (camera: ResolvedCamera) => CameraRuntime;

export interface CameraRegistryOptions {
  readonly defaults: CameraDefaults;
  readonly startCamera: StartCamera;
  /** Saves the full camera list (state file); absent: changes are not kept. */
  readonly persist?: (cameras: readonly CameraSpec[]) => Promise<void>;
  readonly now: () => number;
  /** Most cameras held at once (config sources.maxCameras); absent: 64. */
  readonly maxCameras?: number;
}

interface Entry {
  spec: CameraSpec;
  runtime: CameraRuntime | undefined;
  stoppedSinceMs: number;
  /** Why a camera the service began with could not start (its URL stopped being acceptable). */
  failure?: CameraStatus;
}

export const defaultMaxCameras = 64;

const noStats: CameraRuntimeStats = { fps: 0, lastPrediction: null, counters: {} };

export class CameraRegistry implements CameraManager {
  private readonly entries = new Map<string, Entry>();
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(private readonly options: CameraRegistryOptions) {}

  /**
   * Starts the cameras the service begins with (config or state file); not persisted. A camera whose URL
   * is refused now (its file was removed, the roots changed) is kept as `failed` so it can be fixed
   * through the API, instead of keeping the whole service down.
   */
  startAll(specs: readonly CameraSpec[]): void {
    this.checkLimit(specs.length);
    for (const spec of specs) {
      try {
        this.entries.set(spec.id, this.entryFor(spec));
      } catch (error) {
        if (!isTsnError(error, 'E_SOURCE_URL')) throw error;
        const failure: CameraStatus = {
          state: 'failed',
          sinceMs: this.options.now(),
          error: { kind: 'unsupported', message: error.message },
        };
        this.entries.set(spec.id, { spec, runtime: undefined, stoppedSinceMs: this.options.now(), failure });
      }
    }
  }

  list(): CameraView[] {
    return [...this.entries.values()].map((e) => this.view(e));
  }

  get(id: string): CameraView | undefined {
    const entry = this.entries.get(id);
    return entry === undefined ? undefined : this.view(entry);
  }

  /** Every camera's spec, in insertion order (what the state file holds). */
  specs(): CameraSpec[] {
    return [...this.entries.values()].map((e) => e.spec);
  }

  add(spec: CameraSpec): Promise<CameraView> {
    return this.serialize(async () => {
      if (this.entries.has(spec.id)) throw conflict(spec.id);
      this.checkLimit(this.entries.size + 1);
      const entry = this.entryFor(spec);
      await this.persistOrUndo([...this.specs(), spec], entry);
      this.entries.set(spec.id, entry);
      return this.view(entry);
    });
  }

  patch(id: string, patch: CameraPatch): Promise<CameraView> {
    return this.serialize(async () => {
      const current = this.require(id);
      const spec = mergePatch(current.spec, patch);
      // The old runtime goes first: a camera id holds one slot in the pipeline at a time.
      await current.runtime?.close();
      current.runtime = undefined;
      let next: Entry;
      try {
        next = this.entryFor(spec);
        await this.persistOrUndo(
          this.specs().map((s) => (s.id === id ? spec : s)),
          next,
        );
      } catch (error) {
        this.entries.set(id, this.entryFor(current.spec));
        throw error;
      }
      this.entries.set(id, next);
      return this.view(next);
    });
  }

  remove(id: string): Promise<void> {
    return this.serialize(async () => {
      const current = this.require(id);
      await this.options.persist?.(this.specs().filter((s) => s.id !== id));
      this.entries.delete(id);
      await current.runtime?.close();
    });
  }

  /** Stops every source; frames already received still go through the pipeline. Refuses changes after. */
  async stopIntake(): Promise<void> {
    this.closed = true;
    await this.queue.catch(() => undefined);
    await Promise.all([...this.entries.values()].map((e) => e.runtime?.stopIntake()));
  }

  /** Stops every camera. Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    await this.queue.catch(() => undefined);
    const runtimes = [...this.entries.values()].map((e) => e.runtime);
    for (const entry of this.entries.values()) entry.runtime = undefined;
    await Promise.all(runtimes.map((r) => r?.close()));
  }

  private checkLimit(cameras: number): void {
    const max = this.options.maxCameras ?? defaultMaxCameras;
    if (cameras <= max) return;
    throw new TsnError(
      'E_SOURCE_CAMERA_LIMIT',
      `at most ${max} cameras (config sources.maxCameras); remove one (DELETE /v1/cameras/:id) or raise the limit`,
      { context: { maxCameras: max } },
    );
  }

  private entryFor(spec: CameraSpec): Entry {
    const resolved = resolveCamera(this.options.defaults, spec);
    const runtime = spec.enabled ? this.options.startCamera(resolved) : undefined;
    return { spec, runtime, stoppedSinceMs: this.options.now() };
  }

  private async persistOrUndo(specs: readonly CameraSpec[], started: Entry): Promise<void> {
    try {
      await this.options.persist?.(specs);
    } catch (error) {
      await started.runtime?.close();
      throw error;
    }
  }

  private require(id: string): Entry {
    const entry = this.entries.get(id);
    if (entry === undefined) {
      throw new TsnError('E_API_NOT_FOUND', `no camera "${id}"; GET /v1/cameras lists them`, {
        context: { camera: id },
      });
    }
    return entry;
  }

  private view(entry: Entry): CameraView {
    const status: CameraStatus = entry.runtime?.status() ??
      entry.failure ?? { state: 'stopped', sinceMs: entry.stoppedSinceMs };
    const stats = entry.runtime?.stats() ?? noStats;
    return { spec: entry.spec, status, ...stats };
  }

  private serialize<T>(task: () => Promise<T>): Promise<T> {
    if (this.closed) {
      return Promise.reject(
        new TsnError('E_API_CONFLICT', 'the service is shutting down; try again after restart'),
      );
    }
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }
}

function conflict(id: string): TsnError {
  return new TsnError('E_API_CONFLICT', `camera "${id}" exists; PATCH /v1/cameras/${id} changes it`, {
    context: { camera: id },
  });
}

/** Top-level keys replace; the detector group merges key by key (so PATCH {detector:{onThreshold}} works). */
export function mergePatch(spec: CameraSpec, patch: CameraPatch): CameraSpec {
  const detector =
    patch.detector === undefined ? spec.detector : { ...(spec.detector ?? {}), ...patch.detector };
  const merged = { ...spec, ...patch, id: spec.id, ...(detector === undefined ? {} : { detector }) };
  const parsed = cameraSchema.safeParse(merged);
  if (!parsed.success) throw validationError('camera after patch', parsed.error);
  return parsed.data;
}
