// Runtime assembly of `tsn serve`: HTTP first (health answers during a model download), then model,
// backend, pipeline, publishers and cameras. close() takes it all down in order and leaves nothing behind.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { homedir } from 'node:os';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Subscription } from 'rxjs';
import { buildApi, type Readiness } from '../api/index.js';
import type { CameraSpec, Config } from '../config/index.js';
import { createBackend } from '../inference/create-backend.js';
import type { Backend } from '../inference/backend.js';
import { loadAnyModel } from '../model/clip-model-dir.js';
import type { ClipModel, Model } from '../model/types.js';
import { createOnnxClipRunner, type ClipRunner } from '../inference/onnx/clip-model.js';
import { createProgress, expandHome, resolveModelDir, type ResolveModelDeps } from '../model-store/index.js';
import { createRecognitionPipeline, type RecognitionPipeline } from '../pipeline/recognition-pipeline.js';
import { TsnError } from '../errors/index.js';
import { probeFfmpegCapabilities } from '../sources/probe.js';
import { WhipHub } from '../sources/webrtc/index.js';
import { CameraRegistry } from './camera-manager.js';
import { createCameraRuntimeFactory } from './camera-runtime.js';
import { DeferredCameraManager } from './deferred-cameras.js';
import { createClip } from './clip.js';
import { createHead, createEmbed } from './embed.js';
import { RecentEventRing } from './event-ring.js';
import { createMetricsRegistry } from './metrics.js';
import { createPublishers, type Publishers } from './publishers.js';
import { readStateFile, writeStateFile } from './state-file.js';
import { startupBanner } from './banner.js';

export interface ServiceDeps {
  readonly logger: Logger;
  /** ffmpeg binary (src/config/ffmpeg-path.ts locateFfmpeg()); undefined: cameras cannot start. */
  readonly ffmpegPath: string | undefined;
  readonly now?: () => number;
  /** Download tuning for the model store (tests). */
  readonly download?: ResolveModelDeps['download'];
}

export interface RunningService {
  /** http://host:port of the API. */
  readonly url: string;
  readonly port: number;
  readiness(): Readiness;
  /** Resolves once the model is loaded and the cameras started (rejects if that failed). */
  readonly started: Promise<void>;
  close(): Promise<void>;
}

interface Parts {
  backend?: Backend;
  clipRunner?: ClipRunner;
  pipeline?: RecognitionPipeline;
  registry?: CameraRegistry;
  subscriptions: Subscription[];
}

export async function startService(config: Config, deps: ServiceDeps): Promise<RunningService> {
  const log = deps.logger;
  const now = deps.now ?? Date.now;
  const parts: Parts = { subscriptions: [] };
  const ring = new RecentEventRing(config.api.recentEvents);
  const cameras = new DeferredCameraManager();
  // whip:// cameras register here when they start (docs/webrtc.md)
  const whip = new WhipHub({
    additionalHostAddresses: config.webrtc.iceHostAddresses,
    ...(config.webrtc.icePortRange === undefined ? {} : { portRange: config.webrtc.icePortRange }),
  });
  const checks = { model: false, cameras: false };
  const readiness = (): Readiness => ({ ready: checks.model && checks.cameras, checks: { ...checks } });
  // Publishers need the HTTP server, which needs the metrics registry, which reads publisher stats.
  const out: { publishers?: Publishers } = {};
  const metrics = createMetricsRegistry({
    pipeline: () => parts.pipeline?.metrics(),
    drainSamples: () => parts.pipeline?.drainSamples(),
    cameras,
    nats: () => natsStats(out.publishers),
    webSocket: () =>
      publishers?.webSocket?.stats() ?? { clients: 0, messagesSent: 0, slowConsumerDisconnects: 0 },
  });
  const app = buildApi({
    cameras,
    whip,
    events: ring,
    readiness,
    metrics,
    auth: config.server.auth,
    logger: log,
    ...(config.websocket.enabled ? { webSocketPath: config.websocket.path } : {}),
  });
  const publishers = createPublishers(config, {
    server: app.server,
    ring,
    logger: log.child({ component: 'publish' }),
  });
  out.publishers = publishers;
  try {
    await app.listen({ host: config.server.host, port: config.server.port });
  } catch (cause) {
    await publishers.close(0);
    await app.close();
    throw new TsnError(
      'E_SERVICE_START',
      `cannot listen on ${config.server.host}:${config.server.port} (${(cause as Error).message}); choose another server.port or --port`,
      { cause, context: { host: config.server.host, port: config.server.port } },
    );
  }
  const port = (app.server.address() as AddressInfo).port;
  const url = `http://${config.server.host === '0.0.0.0' ? '127.0.0.1' : config.server.host}:${port}`;
  log.info({ url, webSocket: config.websocket.enabled ? config.websocket.path : null }, 'listening');
  for (const line of startupBanner({
    url,
    webSocketPath: config.websocket.enabled ? config.websocket.path : null,
    model: config.model,
    cameras: config.cameras,
    clipsDir: simClipsDir(config),
  }))
    log.info(line);

  // close() during start (a model download can take minutes) aborts it instead of waiting.
  const aborter = new AbortController();
  const started = startRecognition(config, deps, {
    parts,
    cameras,
    checks,
    ring,
    publishers,
    now,
    whip,
    signal: aborter.signal,
  });
  started.catch((error: unknown) => log.error({ err: error }, 'service failed to start'));

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      aborter.abort(new Error('the service is shutting down'));
      await started.catch(() => undefined);
      await shutdown(parts, publishers, log);
      await app.close();
      log.info('stopped');
    })());
  return { url, port, readiness, started, close };
}

async function startRecognition(
  config: Config,
  deps: ServiceDeps,
  ctx: {
    parts: Parts;
    cameras: DeferredCameraManager;
    checks: { model: boolean; cameras: boolean };
    ring: RecentEventRing;
    publishers: Publishers;
    now: () => number;
    whip: WhipHub;
    signal: AbortSignal;
  },
): Promise<void> {
  const log = deps.logger;
  const { dir } = await resolveModelDir(config.model, {
    log,
    progress: (label) => createProgress(label, process.stderr, log),
    signal: ctx.signal,
    ...(deps.download === undefined ? {} : { download: deps.download }),
  });
  ctx.signal.throwIfAborted();
  const loaded = await loadAnyModel(dir);
  const { model } = loaded;
  const inference =
    loaded.kind === 'onnx-clip'
      ? await clipInference(loaded.model, config, ctx.parts)
      : await segmentInference(loaded.model, config, ctx.parts);
  ctx.signal.throwIfAborted();
  log.info(
    { model: model.id, classes: model.manifest.numClasses, backend: inference.description },
    'model loaded',
  );
  ctx.checks.model = true;
  const pipeline = createRecognitionPipeline(
    { modelId: model.id, labels: model.labels, batching: config.batching, mode: inference.mode },
    { ...inference.deps, now: ctx.now, idFactory: () => randomUUID() },
  );
  ctx.parts.pipeline = pipeline;
  const ffmpegPath = requireFfmpeg(deps.ffmpegPath);
  const runtimes = createCameraRuntimeFactory({
    pipeline,
    ffmpegPath,
    ffmpegCapabilities: probeFfmpegCapabilities(ffmpegPath),
    modelNumSeg: model.manifest.defaultNumSeg,
    clipsDir: simClipsDir(config),
    logger: log.child({ component: 'source' }),
    now: ctx.now,
    onStatus: (id, status) => ctx.publishers.publishStatus(id, status),
    whip: ctx.whip,
  });
  const registry = new CameraRegistry({
    defaults: config.defaults,
    startCamera: runtimes.start,
    now: ctx.now,
    ...(config.stateFile === undefined ? {} : { persist: persistTo(config.stateFile) }),
  });
  ctx.parts.registry = registry;
  const publishPredictionsFor = (id: string) =>
    registry.get(id)?.spec.publishPredictions ?? config.defaults.publishPredictions;
  ctx.parts.subscriptions.push(
    pipeline.events$.subscribe((event) => ctx.publishers.publishEvent(event)),
    pipeline.predictions$.subscribe((p) => {
      runtimes.notePrediction(p);
      ctx.publishers.publishPrediction(p, publishPredictionsFor(p.cameraId));
    }),
    pipeline.errors$.subscribe((error) =>
      log.warn({ code: error.code, err: error.message }, 'inference error'),
    ),
  );
  const initial = await initialCameras(config, log);
  if (initial.length === 0)
    log.warn(
      'no camera configured: nothing will be recognised. Add one with --camera NAME=rtsp://..., in the config ' +
        '(cameras:), or at run time: POST /v1/cameras',
    );
  registry.startAll(initial);
  ctx.cameras.bind(registry);
  ctx.checks.cameras = true;
  log.info({ cameras: initial.map((c) => c.id) }, 'ready');
}

type InferenceDeps = Pick<Parameters<typeof createRecognitionPipeline>[1], 'embed' | 'head' | 'clip'>;

interface Inference {
  readonly mode: 'segment' | 'clip';
  readonly deps: InferenceDeps;
  readonly description: string;
}

/** TSN checkpoints: per-segment backbone features shared by windows, then fc(mean). */
async function segmentInference(model: Model, config: Config, parts: Parts): Promise<Inference> {
  const backend = await createBackend(model, {
    backend: config.backend.name,
    executionProviders: config.backend.executionProviders,
    threads: config.backend.threads,
  });
  parts.backend = backend;
  const deps = { embed: createEmbed(backend, model), head: createHead(backend) };
  return { mode: 'segment', deps, description: backend.description };
}

/** External clip models cannot be split: whole windows, batched across cameras (always onnxruntime). */
async function clipInference(model: ClipModel, config: Config, parts: Parts): Promise<Inference> {
  const runner = await createOnnxClipRunner({
    modelPath: model.modelPath,
    executionProviders: config.backend.executionProviders,
    threads: config.backend.threads,
    inputSize: model.manifest.inputSize,
    numClasses: model.manifest.numClasses,
  });
  parts.clipRunner = runner;
  // A fixed-T model and the default window shape that can never fit it: fail now, not on every window.
  const views = config.defaults.crop === 'ten' ? 10 : 1;
  runner.checkTimeSteps((config.defaults.numSeg ?? model.manifest.defaultNumSeg) * views);
  return { mode: 'clip', deps: { clip: createClip(runner, model) }, description: runner.description };
}

function persistTo(path: string) {
  return (cameras: readonly CameraSpec[]) => writeStateFile(path, cameras);
}

function simClipsDir(config: Config): string {
  return join(expandHome(config.model.cacheDir, homedir()), '..', 'sim');
}

async function initialCameras(config: Config, log: Logger): Promise<readonly CameraSpec[]> {
  if (config.stateFile === undefined) return config.cameras;
  const saved = await readStateFile(config.stateFile);
  if (saved === undefined) return config.cameras;
  log.info(
    { stateFile: config.stateFile, cameras: saved.length },
    'cameras from the state file (they replace the config list)',
  );
  return saved;
}

function requireFfmpeg(path: string | undefined): string {
  if (path !== undefined) return path;
  throw new TsnError(
    'E_FFMPEG_MISSING',
    'no ffmpeg found: install it (apt-get install ffmpeg), set FFMPEG_PATH, or reinstall @ffmpeg-installer/ffmpeg',
  );
}

async function shutdown(parts: Parts, publishers: Publishers | undefined, log: Logger): Promise<void> {
  // 1. No new frames: every source (ffmpeg) and embedded simulator stops.
  await parts.registry?.stopIntake();
  // 2. Frames already queued or being inferred still become windows (bounded wait).
  const deadline = Date.now() + 3000;
  const busy = (p: RecognitionPipeline) => p.metrics().queueDepth > 0 || p.metrics().inFlight > 0;
  while (parts.pipeline !== undefined && busy(parts.pipeline) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 20));
  }
  // 3. Open episodes end with reason 'shutdown'; their action.ended events go out.
  parts.pipeline?.close();
  await parts.registry?.close();
  for (const s of parts.subscriptions) s.unsubscribe();
  // 4. NATS gets what was published (bounded), then publishers, and the backend, close.
  await publishers?.close(5000).catch((error: unknown) => log.warn({ err: error }, 'publisher close failed'));
  await parts.backend?.close();
  await parts.clipRunner?.close();
}

function natsStats(publishers: Publishers | undefined) {
  const s = publishers?.nats?.stats();
  return {
    connected: s?.connected ?? false,
    buffered: s?.buffered ?? 0,
    dropped: s?.dropped ?? 0,
    published: s?.published ?? 0,
    publishFailures: s?.publishFailures ?? 0,
  };
}
