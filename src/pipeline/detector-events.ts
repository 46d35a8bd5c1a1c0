// Builds ActionEvent values for the detector. Pure (ISO strings come from the given epoch ms).
import {
  EVENT_SCHEMA_VERSION,
  type ActionEvent,
  type ActionEventType,
  type EpisodeEndReason,
  type LabelScore,
  type Prediction,
} from '../domain/index.js';

/** Makes event and episode ids. Inject a uuid function in production, a counter in tests. */
export type IdFactory = (hint: {
  readonly kind: 'event' | 'episode';
  readonly cameraId: string;
  readonly label: string;
}) => string;

export interface Episode {
  readonly episodeId: string;
  readonly labelIndex: number;
  readonly label: string;
  readonly startedAtMs: number;
  peakScore: number;
}

export interface EventInput {
  readonly type: ActionEventType;
  readonly episode: Episode;
  readonly score: number;
  /** The window that triggered the event. */
  readonly window: Prediction;
  readonly top: readonly LabelScore[];
  readonly endedAtMs: number | null;
  readonly endReason?: EpisodeEndReason;
}

export function buildEvent(input: EventInput, idFactory: IdFactory): ActionEvent {
  const { episode, window } = input;
  const event: ActionEvent = {
    schemaVersion: EVENT_SCHEMA_VERSION,
    id: idFactory({ kind: 'event', cameraId: window.cameraId, label: episode.label }),
    type: input.type,
    episodeId: episode.episodeId,
    camera: window.cameraId,
    label: episode.label,
    labelIndex: episode.labelIndex,
    score: input.score,
    peakScore: episode.peakScore,
    startedAt: new Date(episode.startedAtMs).toISOString(),
    startedAtMs: episode.startedAtMs,
    endedAt: input.endedAtMs === null ? null : new Date(input.endedAtMs).toISOString(),
    endedAtMs: input.endedAtMs,
    window: { startMs: window.windowStartMs, endMs: window.windowEndMs, numSeg: window.numSeg },
    top: input.top,
    modelId: window.modelId,
  };
  return input.endReason === undefined ? event : { ...event, endReason: input.endReason };
}
