// Builds a pipeline on fake inference functions in virtual time, and feeds cameras on a schedule.
import { map, merge, of, timer, type Observable, type ObservableInput } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import type { ActionEvent, Frame, Prediction, SegmentFrame } from '../../../src/domain/index.js';
import {
  createRecognitionPipeline,
  type InferencePort,
  type PipelineMode,
  type RecognitionPipeline,
  type RecognitionPipelineOptions,
} from '../../../src/pipeline/index.js';
import type { TsnError } from '../../../src/errors/index.js';
import { counterIds, fakeClip, fakeEmbed, fakeHead, LABELS, WALL_BASE_MS } from './fakes.js';

/** Fake inference knobs: call duration in virtual ms, and wrappers that may replace a call's result. */
export interface Fakes {
  readonly inferenceMs?: number;
  readonly embed?: (
    batch: readonly SegmentFrame[],
    views: number,
    normal: () => ObservableInput<Float32Array>,
  ) => ObservableInput<Float32Array>;
  readonly head?: (normal: () => ObservableInput<Float32Array>) => ObservableInput<Float32Array>;
}

/** A camera whose frames arrive at virtual time = pts + delayMs. */
export function live(input: readonly Frame[], delayMs = 0): Observable<Frame> {
  return merge(...input.map((f) => timer(f.ptsMs + delayMs).pipe(map(() => f))));
}

export interface Run {
  readonly pipeline: RecognitionPipeline;
  readonly predictions: Prediction[];
  readonly events: ActionEvent[];
  readonly embedded: SegmentFrame[];
  readonly errors: TsnError[];
  readonly scheduler: TestScheduler;
}

export function build(
  scheduler: TestScheduler,
  { mode = 'segment', ...options }: Partial<RecognitionPipelineOptions> & { mode?: PipelineMode } = {},
  fakes: Fakes = {},
): Run {
  const inferenceMs = fakes.inferenceMs ?? 5;
  const embedded: SegmentFrame[] = [];
  const inference: InferencePort =
    mode === 'clip'
      ? {
          mode,
          clip: (segmentFrames, windows, numSeg, views) =>
            timer(inferenceMs).pipe(map(() => fakeClip(segmentFrames, windows, numSeg, views))),
        }
      : {
          mode,
          embed: (batch, views) => {
            embedded.push(...batch);
            const normal = () => timer(inferenceMs).pipe(map(() => fakeEmbed(batch, views)));
            return fakes.embed === undefined ? normal() : fakes.embed(batch, views, normal);
          },
          head: (features, windows, perWindow) => {
            const normal = () => of(fakeHead(features, windows, perWindow));
            return fakes.head === undefined ? normal() : fakes.head(normal);
          },
        };
  const pipeline = createRecognitionPipeline(
    {
      modelId: 'fake@000000000000',
      labels: LABELS,
      batching: { maxBatch: 4, maxWaitMs: 20, maxQueue: 32, maxInFlight: 1 },
      cameraDefaults: { numSeg: 4, windowMs: 800 },
      ...options,
    },
    {
      inference,
      now: () => WALL_BASE_MS + scheduler.now(),
      scheduler,
      idFactory: counterIds(),
    },
  );
  const predictions: Prediction[] = [];
  const events: ActionEvent[] = [];
  const errors: TsnError[] = [];
  pipeline.predictions$.subscribe((p) => predictions.push(p));
  pipeline.events$.subscribe((e) => events.push(e));
  pipeline.errors$.subscribe((e) => errors.push(e));
  return { pipeline, predictions, events, embedded, errors, scheduler };
}

/** Pixels of a window's frames when the camera sends one frame per 200 ms segment, at its start. */
export const pixelsOf = (p: Prediction): number[] => p.segmentIndices.map((k) => (k * 200) % 251);
export const byCamera = (ps: readonly Prediction[], cameraId: string): Prediction[] =>
  ps.filter((p) => p.cameraId === cameraId);
