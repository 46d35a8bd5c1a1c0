// Domain values shaped like the pipeline's output, for publisher tests.
import type { ActionEvent } from '../../../src/domain/event.js';
import type { Prediction } from '../../../src/domain/prediction.js';
import type { CameraStatus } from '../../../src/domain/camera-status.js';

const T0 = Date.parse('2026-01-02T03:04:05.678Z');

export function sampleEvent(overrides: Partial<ActionEvent> = {}): ActionEvent {
  return {
    schemaVersion: 1,
    id: 'evt-0001',
    type: 'action.started',
    episodeId: 'ep-0001',
    camera: 'cam-1',
    label: 'falling',
    labelIndex: 3,
    score: 0.91,
    peakScore: 0.93,
    startedAt: new Date(T0).toISOString(),
    startedAtMs: T0,
    endedAt: null,
    endedAtMs: null,
    window: { startMs: 12_000, endMs: 14_000, numSeg: 8 },
    top: [
      { index: 3, label: 'falling', score: 0.91 },
      { index: 1, label: 'walking', score: 0.05 },
    ],
    modelId: 'tsn-r50-k400@abc123',
    ...overrides,
  };
}

export function endedEvent(overrides: Partial<ActionEvent> = {}): ActionEvent {
  return sampleEvent({
    id: 'evt-0002',
    type: 'action.ended',
    score: 0.2,
    endedAt: new Date(T0 + 4000).toISOString(),
    endedAtMs: T0 + 4000,
    endReason: 'score',
    ...overrides,
  });
}

export function samplePrediction(overrides: Partial<Prediction> = {}): Prediction {
  return {
    cameraId: 'cam-1',
    modelId: 'tsn-r50-k400@abc123',
    windowStartMs: 12_000,
    windowEndMs: 14_000,
    windowStartWallMs: T0 - 2000,
    windowEndWallMs: T0,
    numSeg: 3,
    segmentIndices: [4, 5, 6],
    logits: new Float32Array([0.1, 2, -1]),
    scores: new Float32Array([0.12, 0.8, 0.08]),
    top: [
      { index: 1, label: 'walking', score: 0.8 },
      { index: 0, label: 'falling', score: 0.12 },
    ],
    ...overrides,
  };
}

export const sampleStatuses: readonly CameraStatus[] = [
  { state: 'connecting', attempt: 1, sinceMs: T0 },
  { state: 'streaming', sinceMs: T0, width: 1920, height: 1080 },
  {
    state: 'backoff',
    attempt: 2,
    retryInMs: 2000,
    sinceMs: T0,
    error: { kind: 'refused', message: 'ECONNREFUSED' },
  },
  { state: 'failed', sinceMs: T0, error: { kind: 'auth', message: '401 Unauthorized' } },
  { state: 'stopped', sinceMs: T0 },
];
