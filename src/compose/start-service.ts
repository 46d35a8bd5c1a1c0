// Runtime assembly of `tsn serve`, part of the composition root (only src/main.ts imports src/compose/):
// HTTP first (health answers during a model download), then model, backend, pipeline, publishers and
// cameras. close() takes it all down in order and leaves nothing behind.
import { randomUUID } from 'node:crypto';
import { join, resolve } from 'node:path';
import { homedir } from 'node:os';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { ActionEvent } from '../domain/index.js';
import { buildApi, type Readiness } from '../api/index.js';
import { assertSafeExposure, checkConfigLabels, type CameraSpec, type Config } from '../config/index.js';
import { openPipelineInference } from '../inference/pipeline-inference.js';
import { loadAnyModel } from '../model/clip-model-dir.js';
import { createProgress, expandHome, resolveModelDir, type ResolveModelDeps } from '../model-store/index.js';
import { createRecognitionPipeline } from '../pipeline/recognition-pipeline.js';
import { TsnError } from '../errors/index.js';
import { createLiveHub, LIVE_PATH_PREFIX, type LiveHub } from '../live/index.js';
import { bearerTokenAuthorizer } from '../publish/websocket/auth.js';
import { probeFfmpegCapabilities } from '../sources/probe.js';
import { WhipHub } from '../sources/webrtc/index.js';
import { CameraRegistry } from '../service/camera-manager.js';
import { createCameraRuntimeFactory } from '../service/camera-runtime.js';
import { DeferredCameraManager } from '../service/deferred-cameras.js';
import { RecentEventRing } from '../service/event-ring.js';
import { ErrorReporter } from '../service/error-reporter.js';
import { createMetricsRegistry, registerPublisherMetrics } from '../service/metrics.js';
import { createPublishers, type Publishers } from '../service/publishers.js';
import { hostPolicyOf } from '../service/host-policy.js';
import { upgradeAuthorizer } from '../api/request-guard.js';
import { readStateFile, writeStateFile } from '../service/state-file.js';
import { startupBanner } from '../service/banner.js';
import { ClusterRuntime } from '../service/roles/cluster-role.js';
import { registerClusterMetrics } from '../service/roles/cluster-metrics.js';
import type { EdgeCameras } from '../service/roles/edge-cameras.js';
import { startEdgeRole, startInferRole } from './cluster-roles.js';
import { shutdown, type Parts } from './service-parts.js';

export interface ServiceDeps {
  readonly logger: Logger;
  /** ffmpeg binary (src/config/ffmpeg-path.ts locateFfmpeg()); undefined: cameras cannot start. */
  readonly ffmpegPath: string | undefined;
  readonly now?: () => number;
  /** Download tuning for the model store (tests). */
  readonly download?: ResolveModelDeps['download'];
  /** Logs and counts the errors the service survives; the composition root shares it with rxjs's config. */
  readonly errors?: ErrorReporter;
  /** Test hook: one more subscriber of the pipeline's events$, beside the publishers. */
  readonly extraEventSubscriber?: (event: ActionEvent) => void;
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

export async function startService(config: Config, deps: ServiceDeps): Promise<RunningService> {
  assertSafeExposure(config.server);
  const log = deps.logger;
  const now = deps.now ?? Date.now;
  const parts: Parts = { subscriptions: [] };
  const errors = deps.errors ?? new ErrorReporter(log);
  const ring = new RecentEventRing(config.api.recentEvents);
  const cameras = new DeferredCameraManager();
  // whip:// cameras register here when they start (docs/webrtc.md)
  const whip = new WhipHub({
    additionalHostAddresses: config.webrtc.iceHostAddresses,
    ...(config.webrtc.icePortRange === undefined ? {} : { portRange: config.webrtc.icePortRange }),
  });
  const checks = { model: false, cameras: false };
  const readiness = (): Readiness => ({ ready: checks.model && checks.cameras, checks: { ...checks } });
  const metrics = createMetricsRegistry({
    pipeline: () => parts.pipeline?.metrics(),
    drainSamples: () => parts.pipeline?.drainSamples(),
    cameras,
    errors: () => errors.counts(),
  });
  const app = buildApi({
    cameras,
    whip,
    events: ring,
    readiness,
    metrics,
    cluster: () => parts.cluster?.view(),
    auth: config.server.auth,
    hosts: hostPolicyOf(config.server),
    logger: log,
    ...(config.websocket.enabled ? { webSocketPath: config.websocket.path } : {}),
    ...(deps.ffmpegPath === undefined ? {} : { livePath: LIVE_PATH_PREFIX }),
  });
  registerClusterMetrics(metrics, () => parts.cluster);
  const publishers = createPublishers(config, {
    server: app.server,
    ring,
    logger: log.child({ component: 'publish' }),
    onError: (error, destination) => errors.report(error, `publish:${destination}`),
  });
  // The publishers need the HTTP server, which serves the registry: their series join it now.
  registerPublisherMetrics(metrics, {
    nats: () => natsStats(publishers),
    webSocket: () =>
      publishers.webSocket?.stats() ?? { clients: 0, messagesSent: 0, slowConsumerDisconnects: 0 },
  });
  parts.live = startLiveView(config, deps, app.server, parts, cameras);
  try {
    await app.listen({ host: config.server.host, port: config.server.port });
  } catch (cause) {
    await parts.live?.close();
    await publishers.close(0);
    await app.close();
    throw new TsnError(
      'E_SERVICE_START',
      `cannot listen on ${config.server.host}:${config.server.port} (${(cause as Error).message}); choose another server.port or --port`,
      { cause, context: { host: config.server.host, port: config.server.port } },
    );
  }
  const port = (app.server.address() as AddressInfo).port;
  const wildcard = config.server.host === '0.0.0.0' || config.server.host === '::';
  const shown = wildcard ? '127.0.0.1' : config.server.host;
  const url = `http://${shown.includes(':') ? `[${shown}]` : shown}:${port}`;
  log.info({ url, webSocket: config.websocket.enabled ? config.websocket.path : null }, 'listening');
  // A state file replaces the config's cameras: the banner names the cameras that will run. A file that
  // cannot be read fails the start below, where it is reported.
  const initial = config.cluster.role === 'all' ? initialCameras(config, log) : undefined;
  for (const line of startupBanner({
    url,
    webSocketPath: config.websocket.enabled ? config.websocket.path : null,
    model: config.model,
    cameras: (await initial?.catch(() => undefined)) ?? config.cameras,
    clipsDir: simClipsDir(config),
  }))
    log.info(line);

  // close() during start (a model download can take minutes) aborts it instead of waiting.
  const aborter = new AbortController();
  const started = startRecognition(config, deps, {
    parts,
    initial: initial ?? Promise.resolve(config.cameras),
    cameras,
    checks,
    ring,
    publishers,
    now,
    whip,
    errors,
    signal: aborter.signal,
  });
  started.catch((error: unknown) => log.error({ err: error }, 'service failed to start'));

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      aborter.abort(new Error('the service is shutting down'));
      await started.catch(() => undefined);
      await shutdown(parts, publishers, log, now);
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
    /** Role all: the cameras to start (the state file's, or the config's). */
    initial: Promise<readonly CameraSpec[]>;
    cameras: DeferredCameraManager;
    checks: { model: boolean; cameras: boolean };
    ring: RecentEventRing;
    publishers: Publishers;
    now: () => number;
    whip: WhipHub;
    errors: ErrorReporter;
    signal: AbortSignal;
  },
): Promise<void> {
  const log = deps.logger;
  const fileRoots = config.sources.fileRoots.map((root) => resolve(root));
  if (config.cluster.role !== 'all') {
    ctx.parts.cluster = await ClusterRuntime.open(config, {
      logger: log,
      now: ctx.now,
      onError: (error, where) => ctx.errors.report(error, where),
      signal: ctx.signal,
      load: () => ({
        queueDepth: ctx.parts.pipeline?.metrics().queueDepth ?? 0,
        inFlight: ctx.parts.pipeline?.metrics().inFlight ?? 0,
      }),
    });
  }
  const cluster = ctx.parts.cluster;
  const { dir } = await resolveModelDir(config.model, {
    log,
    progress: (label) => createProgress(label, process.stderr, log),
    signal: ctx.signal,
    ...(deps.download === undefined ? {} : { download: deps.download }),
  });
  ctx.signal.throwIfAborted();
  const loaded = await loadAnyModel(dir);
  const { model } = loaded;
  checkConfigLabels(config, model.labels);
  const views = config.defaults.crop === 'ten' ? 10 : 1;
  const opened = await openPipelineInference(loaded, {
    backend: config.backend.name,
    executionProviders: config.backend.executionProviders,
    threads: config.backend.threads,
    workers: config.backend.workers,
    defaultTimeSteps: (modelNumSeg) => (config.defaults.numSeg ?? modelNumSeg) * views,
  });
  ctx.parts.inference = opened;
  ctx.signal.throwIfAborted();
  const roles = { config, log, fileRoots };
  if (cluster?.role === 'infer') {
    const featureDim = loaded.kind === 'tsn-resnet' ? loaded.model.manifest.featureDim : 0;
    bindRegistry(ctx, await startInferRole(cluster, { id: model.id, featureDim }, opened, roles));
    ctx.checks.model = true;
    return;
  }
  const inference = cluster === undefined ? opened : cluster.edgeInference(model.id, opened);
  log.info(
    { model: model.id, classes: model.manifest.numClasses, backend: inference.description },
    'model loaded',
  );
  ctx.checks.model = true;
  const pipeline = createRecognitionPipeline(
    { modelId: model.id, labels: model.labels, batching: config.batching },
    { inference, now: ctx.now, idFactory: () => randomUUID() },
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
    fileRoots,
  });
  ctx.parts.runtimes = runtimes;
  const publishPredictionsFor = (id: string) =>
    ctx.parts.registry?.get(id)?.spec.publishPredictions ?? config.defaults.publishPredictions;
  const stamp = <T extends object>(value: T): T => cluster?.stamp(value) ?? value;
  // One subscription per consumer: events$ and predictions$ isolate their subscribers, so one that throws
  // (reported on errors$) does not keep a value from the others.
  ctx.parts.subscriptions.push(
    pipeline.errors$.subscribe((error) => ctx.errors.report(error, 'pipeline')),
    // First, so that a throw in it happens before the publishers get the same event.
    ...(deps.extraEventSubscriber === undefined
      ? []
      : [pipeline.events$.subscribe(deps.extraEventSubscriber)]),
    pipeline.events$.subscribe((event) => ctx.publishers.publishEvent(stamp(event))),
    ...(cluster === undefined ? [] : [pipeline.events$.subscribe((event) => cluster.noteEvent(event))]),
    pipeline.predictions$.subscribe((p) => runtimes.notePrediction(p)),
    pipeline.predictions$.subscribe((p) =>
      ctx.publishers.publishPrediction(stamp(p), publishPredictionsFor(p.cameraId)),
    ),
  );
  if (cluster !== undefined) {
    const publishEvent = (event: ActionEvent) => ctx.publishers.publishEvent(event);
    bindRegistry(ctx, await startEdgeRole(cluster, model.id, { runtimes, pipeline, publishEvent }, roles));
    return;
  }
  const registry = new CameraRegistry({
    defaults: config.defaults,
    maxCameras: config.sources.maxCameras,
    startCamera: runtimes.start,
    now: ctx.now,
    ...(config.stateFile === undefined ? {} : { persist: persistTo(config.stateFile) }),
  });
  ctx.parts.registry = registry;
  const initial = await ctx.initial;
  if (initial.length === 0)
    log.warn(
      'no camera configured: nothing will be recognised. Add one with --camera NAME=rtsp://..., in the config ' +
        '(cameras:), or at run time: POST /v1/cameras',
    );
  registry.startAll(initial);
  bindRegistry(ctx, registry);
  log.info({ cameras: initial.map((c) => c.id) }, 'ready');
}

/** The camera API and shutdown reach the cameras through the registry from now on. */
function bindRegistry(
  ctx: { parts: Parts; cameras: DeferredCameraManager; checks: { cameras: boolean } },
  registry: CameraRegistry | EdgeCameras,
): void {
  ctx.parts.registry = registry;
  ctx.cameras.bind(registry);
  ctx.checks.cameras = true;
}

/** GET /v1/live/:camera (docs/live-view.md); none without ffmpeg. Same auth as the events WebSocket. */
function startLiveView(
  config: Config,
  deps: ServiceDeps,
  server: Server,
  parts: Parts,
  cameras: DeferredCameraManager,
): LiveHub | undefined {
  if (deps.ffmpegPath === undefined) return undefined;
  const auth = config.server.auth;
  return createLiveHub({
    server,
    ffmpegPath: deps.ffmpegPath,
    mode: config.liveView.mode,
    inputOf: (id) => parts.runtimes?.liveInput(id) ?? { state: 'pending', reason: 'the service is starting' },
    cameraExists: (id) => cameras.get(id) !== undefined,
    ownedElsewhere: (path) => config.websocket.enabled && path === config.websocket.path,
    logger: deps.logger.child({ component: 'live' }),
    // Upgrades bypass the HTTP hooks: the same Host, Origin and token gate as the events WebSocket.
    authorize: upgradeAuthorizer(
      hostPolicyOf(config.server),
      { allowedOrigins: config.websocket.allowedOrigins },
      auth.token !== undefined && auth.protectWebSocket ? bearerTokenAuthorizer([auth.token]) : undefined,
    ),
  });
}

function persistTo(path: string) {
  return (cameras: readonly CameraSpec[]) => writeStateFile(path, cameras);
}

/** Inside cacheDir: the one directory the service is told it may write (a container's /models volume). */
function simClipsDir(config: Config): string {
  return join(expandHome(config.model.cacheDir, homedir()), 'sim');
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

function natsStats(publishers: Publishers) {
  const s = publishers.nats?.stats();
  return {
    connected: s?.connected ?? false,
    buffered: s?.buffered ?? 0,
    dropped: s?.dropped ?? 0,
    published: s?.published ?? 0,
    publishFailures: s?.publishFailures ?? 0,
  };
}
