// The JSON that leaves the service. NATS and WebSocket both send encodeWire(toWire*(...)), so a consumer sees
// byte-identical messages on either transport. Shapes are fixed by schemas/*.v1.json (tests validate them).
import type { ActionEvent, ActionEventType, EpisodeEndReason } from '../domain/event.js';
import type { Prediction } from '../domain/prediction.js';
import type { CameraFault, CameraStatus } from '../domain/camera-status.js';

export const WIRE_SCHEMA_VERSION = 1;

export interface WireLabelScore {
  readonly index: number;
  readonly label: string;
  readonly score: number;
}

export interface WireEvent {
  readonly schemaVersion: 1;
  readonly id: string;
  readonly type: ActionEventType;
  readonly episodeId: string;
  readonly camera: string;
  readonly label: string;
  readonly labelIndex: number;
  readonly score: number;
  readonly peakScore: number;
  readonly startedAt: string;
  readonly startedAtMs: number;
  readonly endedAt: string | null;
  readonly endedAtMs: number | null;
  readonly window: { readonly startMs: number; readonly endMs: number; readonly numSeg: number };
  readonly top: readonly WireLabelScore[];
  readonly modelId: string;
  /** action.ended only; absent on action.started. */
  readonly endReason?: EpisodeEndReason;
  /** The cluster instance that published it; absent outside a cluster. */
  readonly instance?: string;
}

export interface WirePrediction {
  readonly schemaVersion: 1;
  readonly type: 'prediction';
  readonly camera: string;
  readonly modelId: string;
  /** ISO-8601 / epoch ms of the window's end on the wall clock: when this prediction became possible. */
  readonly at: string;
  readonly atMs: number;
  readonly window: {
    readonly startMs: number;
    readonly endMs: number;
    readonly numSeg: number;
    readonly startWallMs: number;
    readonly endWallMs: number;
  };
  readonly segmentIndices: readonly number[];
  readonly top: readonly WireLabelScore[];
  /** The cluster instance that computed it; absent outside a cluster. */
  readonly instance?: string;
}

export interface WireStatus {
  readonly schemaVersion: 1;
  readonly type: 'status';
  readonly camera: string;
  readonly state: CameraStatus['state'];
  readonly since: string;
  readonly sinceMs: number;
  readonly attempt?: number;
  readonly retryInMs?: number;
  readonly width?: number;
  readonly height?: number;
  readonly error?: { readonly kind: CameraFault['kind']; readonly message: string };
}

export type WireMessage = WireEvent | WirePrediction | WireStatus;
export type WireMessageType = WireMessage['type'];
export const WIRE_MESSAGE_TYPES: readonly WireMessageType[] = [
  'action.started',
  'action.ended',
  'prediction',
  'status',
];

function toWireTop(top: readonly WireLabelScore[]): WireLabelScore[] {
  return top.map((s) => ({ index: s.index, label: s.label, score: s.score }));
}

// Explicit field lists (no spreading) keep the key order stable and stop internal fields from leaking.
export function toWireEvent(e: ActionEvent): WireEvent {
  return {
    schemaVersion: WIRE_SCHEMA_VERSION,
    id: e.id,
    type: e.type,
    episodeId: e.episodeId,
    camera: e.camera,
    label: e.label,
    labelIndex: e.labelIndex,
    score: e.score,
    peakScore: e.peakScore,
    startedAt: e.startedAt,
    startedAtMs: e.startedAtMs,
    endedAt: e.endedAt,
    endedAtMs: e.endedAtMs,
    window: { startMs: e.window.startMs, endMs: e.window.endMs, numSeg: e.window.numSeg },
    top: toWireTop(e.top),
    modelId: e.modelId,
    ...(e.endReason === undefined ? {} : { endReason: e.endReason }),
    ...(e.instance === undefined ? {} : { instance: e.instance }),
  };
}

export function toWirePrediction(p: Prediction): WirePrediction {
  return {
    schemaVersion: WIRE_SCHEMA_VERSION,
    type: 'prediction',
    camera: p.cameraId,
    modelId: p.modelId,
    at: new Date(p.windowEndWallMs).toISOString(),
    atMs: p.windowEndWallMs,
    window: {
      startMs: p.windowStartMs,
      endMs: p.windowEndMs,
      numSeg: p.numSeg,
      startWallMs: p.windowStartWallMs,
      endWallMs: p.windowEndWallMs,
    },
    segmentIndices: [...p.segmentIndices],
    top: toWireTop(p.top),
    ...(p.instance === undefined ? {} : { instance: p.instance }),
  };
}

/** `status.sinceMs` is taken as epoch ms (wall clock), as CameraStatus documents for API consumers. */
export function toWireStatus(camera: string, status: CameraStatus): WireStatus {
  const base = {
    schemaVersion: WIRE_SCHEMA_VERSION,
    type: 'status',
    camera,
    state: status.state,
    since: new Date(status.sinceMs).toISOString(),
    sinceMs: status.sinceMs,
  } as const;
  switch (status.state) {
    case 'connecting':
      return { ...base, attempt: status.attempt };
    case 'streaming':
      return { ...base, width: status.width, height: status.height };
    case 'backoff':
      return {
        ...base,
        attempt: status.attempt,
        retryInMs: status.retryInMs,
        error: { kind: status.error.kind, message: status.error.message },
      };
    case 'failed':
      return { ...base, error: { kind: status.error.kind, message: status.error.message } };
    case 'stopped':
      return base;
  }
}

/** Serialises once; callers reuse the bytes for every NATS publish and WebSocket client. */
export function encodeWire(message: WireMessage): Buffer {
  return Buffer.from(JSON.stringify(message), 'utf8');
}
