// What the dashboard reads from the service. The wire messages are the service's own types (type-only
// imports: nothing from src/ ends up in the bundle).
export type {
  WireEvent,
  WireLabelScore,
  WireMessage,
  WirePrediction,
  WireStatus,
} from '../../src/publish/wire.js';
import type { WireLabelScore } from '../../src/publish/wire.js';
export type { CameraStatus } from '../../src/domain/camera-status.js';
import type { CameraStatus } from '../../src/domain/camera-status.js';

/** GET /v1/cameras item (src/api/camera-json.ts): the spec with the URL redacted, plus runtime state. */
export interface CameraJson {
  readonly id: string;
  readonly url: string;
  readonly enabled: boolean;
  readonly windowMs?: number;
  readonly numSeg?: number;
  readonly publishPredictions?: boolean;
  readonly status: CameraStatus;
  readonly fps: number;
  readonly lastPrediction: {
    readonly windowStartWallMs: number;
    readonly windowEndWallMs: number;
    readonly top: readonly WireLabelScore[];
  } | null;
}

/** GET /v1/dashboard/config (src/api/routes-dashboard.ts). */
export interface DashboardConfig {
  readonly auth: { readonly token: boolean; readonly mutations: boolean; readonly webSocket: boolean };
  readonly webSocketPath: string | null;
  readonly livePath: string | null;
  readonly whipPublishPage: string | null;
}
