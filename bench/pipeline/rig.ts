// N cameras wired exactly as the service wires them (src/compose/start-service.ts + camera-runtime.ts):
// config defaults -> resolveCamera -> sourceOptionsOf / pipelineOptionsOf, one ffmpeg source per camera
// feeding the shared recognition pipeline whose embed/head hooks are the service's (segmentInference in
// src/inference/pipeline-inference.ts) on one backend. Only difference: the segment grid of camera i may be
// shifted by i/N of a segment (phase 'spread'), because the simulated cameras share one encoder per feed
// and would otherwise all start on the same IDR, i.e. the same grid, which independent real cameras do not.
import { randomUUID } from 'node:crypto';
import { map, type Observable } from 'rxjs';
import type { Frame } from '../../src/domain/index.js';
import { configSchema, resolveCamera, type Config } from '../../src/config/index.js';
import type { Backend } from '../../src/inference/backend.js';
import type { Model } from '../../src/model/types.js';
import { createRecognitionPipeline, type RecognitionPipeline } from '../../src/pipeline/index.js';
import { pipelineOptionsOf, sourceOptionsOf } from '../../src/service/camera-options.js';
import { segmentInference } from '../../src/inference/pipeline-inference.js';
import { createCameraSource, type SupervisedCameraSource } from '../../src/sources/camera-source.js';
import { recomputeClip } from './recompute-clip.js';

export type ReuseMode = 'reuse' | 'recompute';
export type Phase = 'spread' | 'aligned';
/**
 * Wall time of a frame for latency: 'arrival' re-stamps every frame with the moment it reached the
 * pipeline; 'source' keeps the source's own mapping (pts mapped to the wall clock at the connection's
 * first frame), which runs ahead of arrival when that first frame came late (see the report).
 */
export type FrameClockMode = 'arrival' | 'source';

export interface TsnSettings {
  readonly numSeg: number;
  readonly windowMs: number;
  readonly strideSegments: number;
  /** Frames per second ffmpeg hands over (the service's sampleFps). */
  readonly sampleFps: number;
}

export interface RigOptions {
  readonly mode: ReuseMode;
  readonly cameras: number;
  readonly urls: readonly string[];
  readonly tsn: TsnSettings;
  readonly phase: Phase;
  readonly batching: Partial<Config['batching']>;
  readonly frameClock: FrameClockMode;
}

export interface RigDeps {
  readonly backend: Backend;
  readonly model: Model;
  readonly ffmpegPath: string;
  /** Source warnings (reconnects, stalls) are reported here. */
  readonly onWarning: (cameraId: string, message: string) => void;
}

export interface Rig {
  readonly pipeline: RecognitionPipeline;
  readonly sources: readonly SupervisedCameraSource[];
  readonly cameraIds: readonly string[];
  /** Inference errors seen on errors$. */
  errors(): number;
  /** Source wall time minus arrival time (ms) of the frames since the last call (at most 4096 kept). */
  drainClockSkew(): number[];
  close(): Promise<void>;
}

export function startRig(options: RigOptions, deps: RigDeps): Rig {
  const config = benchConfig(options);
  const { backend, model } = deps;
  const segment = segmentInference(backend, model);
  const pipeline = createRecognitionPipeline(
    {
      modelId: model.id,
      labels: model.labels,
      batching: batchingFor(options.mode, config.batching, options.tsn.numSeg),
    },
    {
      inference:
        options.mode === 'reuse'
          ? segment
          : { mode: 'clip', clip: recomputeClip(segment.embed, segment.head) },
      now: Date.now,
      idFactory: () => randomUUID(),
    },
  );
  let errors = 0;
  // The service subscribes to all three streams (publishers, API); so does the benchmark.
  const subscriptions = [
    pipeline.predictions$.subscribe(() => undefined),
    pipeline.events$.subscribe(() => undefined),
    pipeline.errors$.subscribe(() => errors++),
  ];
  let skew: number[] = [];
  const stamp = (frames$: Observable<Frame>): Observable<Frame> =>
    frames$.pipe(
      map((frame) => {
        const arrivalMs = Date.now();
        if (skew.length < 4096) skew.push(frame.wallMs - arrivalMs);
        return options.frameClock === 'arrival' ? { ...frame, wallMs: arrivalMs } : frame;
      }),
    );
  const segmentMs = options.tsn.windowMs / options.tsn.numSeg;
  const sources = config.cameras.map((spec, i) => {
    const camera = resolveCamera(config.defaults, spec);
    const source = createCameraSource(sourceOptionsOf(camera, camera.url, options.tsn.numSeg), {
      ffmpegPath: deps.ffmpegPath,
      now: Date.now,
      logger: {
        info: () => undefined,
        warn: (fields, message) => deps.onWarning(camera.id, `${message} ${JSON.stringify(fields)}`),
      },
    });
    const gridOriginMs = options.phase === 'spread' ? (i * segmentMs) / options.cameras : 0;
    pipeline.addCamera(camera.id, stamp(source.frames$), {
      ...pipelineOptionsOf(camera, model.manifest.defaultNumSeg),
      gridOriginMs,
    });
    source.start();
    return source;
  });
  let closing: Promise<void> | undefined;
  const close = async (): Promise<void> => {
    // As the service's shutdown: let a running backbone call land (bounded), then stop everything.
    const deadline = Date.now() + 5000;
    for (const id of pipeline.cameras()) pipeline.removeCamera(id);
    await Promise.all(sources.map((s) => s.close()));
    while (pipeline.metrics().inFlight > 0 && Date.now() < deadline) await delay(20);
    pipeline.close();
    for (const s of subscriptions) s.unsubscribe();
  };
  return {
    pipeline,
    sources,
    cameraIds: config.cameras.map((c) => c.id),
    errors: () => errors,
    drainClockSkew: () => {
      const out = skew;
      skew = [];
      return out;
    },
    close: () => (closing ??= close()),
  };
}

function benchConfig(options: RigOptions): Config {
  const { tsn } = options;
  return configSchema.parse({
    batching: options.batching,
    defaults: {
      numSeg: tsn.numSeg,
      windowMs: tsn.windowMs,
      strideSegments: tsn.strideSegments,
      sampleFps: tsn.sampleFps,
      // The simulator may take a while to hand out its first IDR on a loaded machine.
      connectTimeoutMs: 30_000,
    },
    cameras: Array.from({ length: options.cameras }, (_, i) => ({
      id: `cam${String(i + 1).padStart(2, '0')}`,
      url: options.urls[i % options.urls.length] ?? '',
    })),
  });
}

/**
 * Clip mode counts windows, not frames: keep the same number of backbone frames per call and the same
 * bound in frames, so both modes get the same latency budget per call.
 */
function batchingFor(mode: ReuseMode, batching: Config['batching'], numSeg: number): Config['batching'] {
  if (mode === 'reuse') return batching;
  return {
    ...batching,
    maxBatch: Math.max(1, Math.floor(batching.maxBatch / numSeg)),
    maxQueue: Math.max(1, Math.floor(batching.maxQueue / numSeg)),
  };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
