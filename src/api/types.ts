// What the HTTP API needs from the running service. The API knows these interfaces only, never the
// pipeline, the sources or the publishers behind them.
import type { Registry } from 'prom-client';
import type { CameraPatch, CameraSpec } from '../config/index.js';
import type { ActionEvent, CameraStatus, LabelScore } from '../domain/index.js';
import type { HostPolicy } from './request-guard.js';
import type { WhipIngest } from './routes-whip.js';

export interface LastPrediction {
  readonly windowStartWallMs: number;
  readonly windowEndWallMs: number;
  readonly top: readonly LabelScore[];
}

export interface CameraView {
  /** The camera as configured (its URL still holds credentials: the API redacts before answering). */
  readonly spec: CameraSpec;
  readonly status: CameraStatus;
  /** Frames per second delivered by the source, measured over the last few seconds. */
  readonly fps: number;
  readonly lastPrediction: LastPrediction | null;
  /** Monotonic counters since the camera was (re)started: frames, segments, windows, events, drops... */
  readonly counters: Readonly<Record<string, number>>;
  /**
   * Cluster roles only: the edge holding the camera's lease (null while none does). Status and counters
   * are live only on that edge; elsewhere the camera shows as stopped.
   */
  readonly owner?: string | null;
}

/**
 * Cameras at run time. Mutations touch only the camera named; they persist (state file) before they
 * resolve. Errors are TsnErrors: E_API_NOT_FOUND, E_API_CONFLICT, or the sources'/pipeline's option codes.
 */
export interface CameraManager {
  list(): readonly CameraView[];
  get(id: string): CameraView | undefined;
  add(spec: CameraSpec): Promise<CameraView>;
  patch(id: string, patch: CameraPatch): Promise<CameraView>;
  remove(id: string): Promise<void>;
}

export interface RecentEventsQuery {
  readonly limit: number;
  readonly camera?: string;
  readonly label?: string;
  readonly type?: ActionEvent['type'];
}

export interface RecentEvents {
  /** Newest first. */
  recent(query: RecentEventsQuery): readonly ActionEvent[];
}

export interface Readiness {
  readonly ready: boolean;
  readonly checks: Readonly<Record<string, boolean>>;
}

export interface ApiAuth {
  /** Absent or undefined: no authentication. */
  readonly token?: string | undefined;
  readonly protectMutations: boolean;
  /** The WebSocket upgrades (events, live view) need the token too (the dashboard asks for it). */
  readonly protectWebSocket?: boolean;
}

export interface ApiDeps {
  readonly cameras: CameraManager;
  readonly events: RecentEvents;
  readonly readiness: () => Readiness;
  readonly metrics: Registry;
  readonly auth: ApiAuth;
  /** Which Host headers are answered (DNS-rebinding guard); absent: any. */
  readonly hosts?: HostPolicy;
  /** Paths answered by other handlers on the same server (the WebSocket), listed in the OpenAPI document. */
  readonly webSocketPath?: string;
  /** A pino logger, or false for none. */
  readonly logger?: unknown;
  /** Prefix of the live-view WebSocket (/v1/live/:camera, src/live/); absent: no live view. */
  readonly livePath?: string;
  /** WHIP ingest (POST /v1/whip/:camera, the publish page); absent: no WHIP routes. */
  readonly whip?: WhipIngest;
  /** GET /v1/cluster (docs/scale-out.md); absent or undefined: not in a cluster (role all). */
  readonly cluster?: () => unknown;
}
