import type { LabelScore } from './prediction.js';

export const EVENT_SCHEMA_VERSION = 1;

export type ActionEventType = 'action.started' | 'action.ended';

/**
 * Why an episode ended: its smoothed score stayed below offThreshold ('score'), windows stopped coming
 * ('gap'), the stream clock restarted ('restart'), the camera was removed, the service stopped, or the
 * camera moved to another edge instance ('handover', docs/scale-out.md).
 */
export type EpisodeEndReason = 'score' | 'gap' | 'restart' | 'camera-removed' | 'shutdown' | 'handover';

/** The event contract shared by NATS, WebSocket and the HTTP recent-events list (schemas/event.v1.json). */
export interface ActionEvent {
  readonly schemaVersion: typeof EVENT_SCHEMA_VERSION;
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
  readonly top: readonly LabelScore[];
  readonly modelId: string;
  /** action.ended only (optional: added compatibly to schema version 1). */
  readonly endReason?: EpisodeEndReason;
  /** The cluster instance that published it (cluster roles only; added compatibly to version 1). */
  readonly instance?: string;
}
