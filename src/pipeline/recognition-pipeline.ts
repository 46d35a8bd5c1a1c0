// The streaming recognition pipeline: per-camera frames -> segmenter -> shared batcher -> backbone ->
// window head -> predictions -> detector -> events. A thin shell: state lives in the pure processors.
import { asyncScheduler, Subject, type Observable, type SchedulerLike, type Subscription } from 'rxjs';
import type { ActionEvent, EpisodeEndReason, Frame, Prediction } from '../domain/index.js';
import { isTsnError, TsnError } from '../errors/index.js';
import type { IdFactory } from './detector-events.js';
import { Detector, type DetectorCameraConfig } from './detector.js';
import type { InferencePort } from './inference-port.js';
import { createInferenceStage, type StageCounters } from './inference-stages.js';
import {
  emptyCameraCounters,
  SampleBuffer,
  type CameraCounters,
  type PipelineMetricsSnapshot,
  type PipelineSamples,
} from './metrics.js';
import { isolateSubscribers, segmentFrames } from './operators.js';
import { PhaseSlots } from './phase-slots.js';
import {
  defaultBatching,
  defaultCameraOptions,
  resolveCameraOptions,
  segmenterOptionsOf,
  segmentMsOf,
  validateBatching,
  type BatchingOptions,
  type CameraOptionsInput,
  type CameraPipelineOptions,
} from './options.js';
import { Segmenter, type SegmenterOutput, type WindowSpec } from './segmenter.js';
import type { LostSegmentPolicy } from './window-assembler.js';
import { lastFrameWallMs, toPredictions } from './window-head.js';

export type PipelineMode = InferencePort['mode'];

export interface RecognitionPipelineOptions {
  readonly modelId: string;
  /** Class names, index = logit index. */
  readonly labels: readonly string[];
  /** Counts segment frames in segment mode, windows in clip mode. */
  readonly batching?: Partial<BatchingOptions>;
  /** Segment mode: windows with a segment lost to overload or a failed call (see LostSegmentPolicy). */
  readonly lostSegments?: LostSegmentPolicy;
  /** Every camera starts from these; addCamera's options override them. */
  readonly cameraDefaults?: CameraOptionsInput;
}

export interface RecognitionPipelineDeps {
  /** Segment mode (embed + head: per-frame features reused across windows) or clip mode (whole windows). */
  readonly inference: InferencePort;
  /** Wall clock (epoch ms), for end-to-end latency. */
  readonly now: () => number;
  /** Timers and inference durations; default asyncScheduler. Tests pass a TestScheduler. */
  readonly scheduler?: SchedulerLike;
  readonly idFactory: IdFactory;
}

export interface RecognitionPipeline {
  /** Starts recognising a camera's frames. Throws E_PIPELINE_CAMERA_EXISTS, E_PIPELINE_CONFIG, E_PIPELINE_CLOSED. */
  addCamera(cameraId: string, frames$: Observable<Frame>, options?: CameraOptionsInput): void;
  /** Stops one camera (its queued frames are forgotten, open episodes end with 'camera-removed'). */
  removeCamera(cameraId: string): void;
  /** Ends a camera's open episodes now, e.g. when its source stalls or reconnects. */
  endEpisodes(cameraId: string, reason: EpisodeEndReason): void;
  cameras(): string[];
  /** Per-window predictions of cameras with emitPredictions on. Hot. */
  readonly predictions$: Observable<Prediction>;
  /** action.started / action.ended. Hot. */
  readonly events$: Observable<ActionEvent>;
  /**
   * Everything that went wrong on the stream path, the pipeline going on: inference failures (the affected
   * windows are skipped), a processor that threw (E_PIPELINE_INTERNAL), a subscriber of predictions$ or
   * events$ that threw (E_PIPELINE_SUBSCRIBER; the other subscribers still get every value). Hot.
   */
  readonly errors$: Observable<TsnError>;
  metrics(): PipelineMetricsSnapshot;
  /** Histogram observations since the last call (call it from one place, the metrics collector). */
  drainSamples(): PipelineSamples;
  /** Resolves once no frame is queued or being inferred (at once when idle or closed). */
  drained(): Promise<void>;
  /** Stops every camera, ends open episodes ('shutdown'), cancels timers and running calls, completes streams. */
  close(): void;
}

interface CameraEntry {
  /** Seq numbers of this incarnation of the camera id start here. */
  readonly firstSeq: number;
  readonly options: CameraPipelineOptions;
  readonly segmenter: Segmenter;
  readonly counters: CameraCounters;
  subscription: Subscription | null;
}

// Keeps segment seq numbers of a re-added camera id apart from results still in flight for the old one.
const SEQ_SPAN = 2 ** 40;

/**
 * Builds the pipeline. Usage (composition root):
 *   const inference = await openPipelineInference(loaded, settings); // src/inference
 *   const pipeline = createRecognitionPipeline({ modelId, labels, batching }, {
 *     inference, now: Date.now, idFactory: () => randomUUID() });
 *   pipeline.addCamera('cam1', source.frames$, { numSeg: 8, windowMs: 4000 });
 *   pipeline.events$.subscribe(publish);
 */
export function createRecognitionPipeline(
  options: RecognitionPipelineOptions,
  deps: RecognitionPipelineDeps,
): RecognitionPipeline {
  const batching = { ...defaultBatching, ...options.batching };
  validateBatching(batching);
  const defaults = resolveCameraOptions(defaultCameraOptions, options.cameraDefaults);
  const scheduler = deps.scheduler ?? asyncScheduler;
  const entries = new Map<string, CameraEntry>();
  const predictions$ = new Subject<Prediction>();
  const events$ = new Subject<ActionEvent>();
  const errors$ = new Subject<TsnError>();
  const samples = new SampleBuffer();
  const counters: StageCounters = {
    batches: 0,
    batchItems: 0,
    inferenceErrors: 0,
    headCalls: 0,
    headErrors: 0,
    headDropped: 0,
  };
  const detector = new Detector(options.labels, deps.idFactory);
  let seqBase = 0;
  const phases = new PhaseSlots();
  let closed = false;

  /** Runs a step of the stream path; what it throws goes to errors$ rather than up into rxjs. */
  const guarded = (where: string, context: Record<string, unknown>, run: () => void): void => {
    try {
      run();
    } catch (error) {
      errors$.next(internalError(error, where, context));
    }
  };

  const emitEvents = (events: readonly ActionEvent[]): void => {
    for (const event of events) {
      const entry = entries.get(event.camera);
      if (entry !== undefined) entry.counters.events++;
      events$.next(event);
    }
  };

  const deliver = (windows: readonly WindowSpec[], logits: Float32Array): void => {
    let predictions: Prediction[];
    try {
      predictions = toPredictions(windows, logits, {
        modelId: options.modelId,
        labels: options.labels,
        topKOf: (cameraId) => entries.get(cameraId)?.options.detector.topK ?? defaults.detector.topK,
      });
    } catch (error) {
      errors$.next(internalError(error, 'window head'));
      return;
    }
    predictions.forEach((prediction, i) =>
      guarded('detector', { cameraId: prediction.cameraId }, () => {
        const entry = entries.get(prediction.cameraId);
        const spec = windows[i];
        // A window of a removed camera, possibly re-added under the same id since, is dropped.
        const current = entry !== undefined && (spec?.segments[0]?.seq ?? -1) >= entry.firstSeq;
        if (entry === undefined || spec === undefined || !current || closed) return;
        entry.counters.predictions++;
        samples.observeLatencyMs(deps.now() - lastFrameWallMs(spec));
        const out = detector.push(prediction);
        if (out.prediction !== null) predictions$.next(out.prediction);
        emitEvents(out.events);
      }),
    );
  };

  const stage = createInferenceStage(deps.inference, {
    batching,
    scheduler,
    counters,
    samples,
    cameraCounters: (cameraId) => entries.get(cameraId)?.counters,
    viewsOf: (cameraId) => entries.get(cameraId)?.options.views ?? defaults.views,
    lostSegments: options.lostSegments ?? 'substitute',
    deliver,
    reportError: (error) => errors$.next(error),
  });

  const onSegmenterOutput = (cameraId: string, out: SegmenterOutput): void =>
    guarded('inference stage', { cameraId }, () => {
      stage.acceptWindows(out.windows);
      stage.acceptSegments(out.segments);
    });

  const removeCamera = (cameraId: string, reason: EpisodeEndReason): void => {
    const entry = entries.get(cameraId);
    if (entry === undefined) return;
    entry.subscription?.unsubscribe();
    stage.removeCamera(cameraId);
    emitEvents(detector.removeCamera(cameraId, reason));
    entries.delete(cameraId);
    phases.release(cameraId);
  };

  return {
    addCamera(cameraId, frames$, cameraOptions) {
      if (closed)
        throw new TsnError('E_PIPELINE_CLOSED', `cannot add camera ${cameraId}: the pipeline is closed`);
      if (entries.has(cameraId)) {
        throw new TsnError(
          'E_PIPELINE_CAMERA_EXISTS',
          `camera ${cameraId} is already in the pipeline: remove it first or use another id`,
          { context: { cameraId } },
        );
      }
      const resolved = resolveCameraOptions(defaults, cameraOptions);
      const grid = segmenterOptionsOf(resolved);
      const staggered =
        cameraOptions?.gridOriginMs === undefined
          ? { ...grid, gridOriginMs: phases.assign(cameraId, segmentMsOf(resolved), resolved.framePeriodMs) }
          : grid;
      const segmenter = new Segmenter(cameraId, staggered, seqBase);
      seqBase += SEQ_SPAN;
      const entry: CameraEntry = {
        firstSeq: seqBase - SEQ_SPAN,
        options: resolved,
        segmenter,
        counters: emptyCameraCounters(),
        subscription: null,
      };
      entries.set(cameraId, entry);
      stage.addCamera(cameraId, resolved.numSeg, resolved.views);
      detector.setCamera(cameraId, detectorConfigOf(resolved));
      const onSegmenterError = (error: unknown) =>
        errors$.next(internalError(error, 'segmenter', { cameraId }));
      entry.subscription = frames$.pipe(segmentFrames(segmenter, onSegmenterError)).subscribe({
        next: (out) => onSegmenterOutput(cameraId, out),
        error: (error: unknown) => errors$.next(frameStreamError(cameraId, error)),
      });
    },
    removeCamera: (cameraId) => removeCamera(cameraId, 'camera-removed'),
    endEpisodes(cameraId, reason) {
      emitEvents(detector.endCamera(cameraId, reason));
    },
    cameras: () => [...entries.keys()],
    predictions$: isolateSubscribers(predictions$, (e) => errors$.next(subscriberError(e, 'predictions$'))),
    events$: isolateSubscribers(events$, (e) => errors$.next(subscriberError(e, 'events$'))),
    errors$: errors$.asObservable(),
    metrics() {
      const gauges = stage.gauges();
      const cameras: Record<string, CameraCounters> = {};
      for (const [id, entry] of entries) cameras[id] = { ...entry.counters, ...entry.segmenter.stats };
      return {
        cameras,
        queueDepth: gauges.queueDepth,
        inFlight: gauges.inFlight,
        pendingWindows: gauges.pendingWindows,
        heldFeatures: gauges.heldFeatures,
        windowsAbandoned: gauges.abandoned,
        windowsDegraded: gauges.degraded,
        ...counters,
        pendingSamples: samples.pending,
      };
    },
    drainSamples: () => samples.drain(),
    drained: () => stage.drained(),
    close() {
      if (closed) return;
      for (const cameraId of [...entries.keys()]) removeCamera(cameraId, 'shutdown');
      closed = true;
      stage.close();
      predictions$.complete();
      events$.complete();
      errors$.complete();
    },
  };
}

function detectorConfigOf(camera: CameraPipelineOptions): DetectorCameraConfig {
  const derivedGapMs = (2 * camera.strideSegments + 1) * segmentMsOf(camera);
  return {
    settings: camera.detector,
    emitPredictions: camera.emitPredictions,
    maxWindowGapMs: camera.detector.maxWindowGapMs > 0 ? camera.detector.maxWindowGapMs : derivedGapMs,
  };
}

function frameStreamError(cameraId: string, cause: unknown): TsnError {
  return new TsnError(
    'E_PIPELINE_FRAMES',
    `the frame stream of camera ${cameraId} failed and ended; remove and re-add the camera`,
    { cause, context: { cameraId } },
  );
}

/** A TsnError passes through; anything else is a bug in a processor, wrapped with a stable code. */
function internalError(error: unknown, where: string, context: Record<string, unknown> = {}): TsnError {
  if (isTsnError(error)) return error;
  return new TsnError(
    'E_PIPELINE_INTERNAL',
    `the ${where} threw (${messageOf(error)}); the value was skipped and the pipeline goes on: please report this bug`,
    { cause: error, context: { ...context, where } },
  );
}

function subscriberError(error: unknown, stream: string): TsnError {
  return new TsnError(
    'E_PIPELINE_SUBSCRIBER',
    `a subscriber of ${stream} threw (${messageOf(error)}); the other subscribers still get every value`,
    { cause: error, context: { stream } },
  );
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
