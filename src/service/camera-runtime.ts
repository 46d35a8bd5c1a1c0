// One live camera: its source (ffmpeg, WHIP, or an embedded simulator for sim:// URLs) feeding its slot in
// the shared recognition pipeline. Which one is the source registry's verdict on the URL (sources/registry.ts).
// Statuses go to the publishers; fps and the last prediction to the API.
import type { Subscription } from 'rxjs';
import type { LastPrediction } from '../api/index.js';
import type { LiveSource } from '../live/index.js';
import type { ResolvedCamera } from '../config/index.js';
import type { CameraStatus, Prediction } from '../domain/index.js';
import { resolveCameraOptions, defaultCameraOptions } from '../pipeline/options.js';
import type { RecognitionPipeline } from '../pipeline/recognition-pipeline.js';
import {
  createCameraSource,
  type SourceLogger,
  type SupervisedCameraSource,
} from '../sources/camera-source.js';
import { TsnError } from '../errors/index.js';
import { resolveSourceSettings } from '../sources/options.js';
import type { FfmpegCapabilities } from '../sources/ffmpeg-capabilities.js';
import { resolveIngestTarget, resolveSourceUrl, type SourceTarget } from '../sources/registry.js';
import { redactText } from '../sources/redact.js';
import { whipSourceOptions, type WhipHub } from '../sources/webrtc/index.js';
import type { CameraRuntime, CameraRuntimeStats, StartCamera } from './camera-manager.js';
import { pipelineOptionsOf, sourceOptionsOf } from './camera-options.js';
import { FpsMeter } from './fps-meter.js';
import { parseSimUrl, startSimulatedCamera, type SimulatedCamera } from './simulated-camera.js';

export interface CameraRuntimeDeps {
  readonly pipeline: RecognitionPipeline;
  readonly ffmpegPath: string;
  /** What that ffmpeg supports, probed once at start (probing per camera blocks the event loop). */
  readonly ffmpegCapabilities: FfmpegCapabilities;
  /** num_seg for cameras that do not set one: the model's trained value. */
  readonly modelNumSeg: number;
  /** Where generated sim:// pattern clips are kept. */
  readonly clipsDir: string;
  readonly logger: SourceLogger & { error(fields: Record<string, unknown>, message: string): void };
  readonly now: () => number;
  readonly onStatus: (cameraId: string, status: CameraStatus) => void;
  /** WHIP cameras (url whip://) wait for publishers through this hub; absent: whip:// is refused. */
  readonly whip?: WhipHub;
  /** Absolute directories file cameras must lie in (config sources.fileRoots, resolved at start). */
  readonly fileRoots: readonly string[];
}

export interface CameraRuntimeFactory {
  readonly start: StartCamera;
  /** Routes a prediction to its camera (for GET /v1/cameras/:id). */
  notePrediction(prediction: Prediction): void;
  /** What a live-view encoder reads for a camera (sim:// -> its simulator), or why it cannot. */
  liveInput(cameraId: string): LiveSource;
}

export function createCameraRuntimeFactory(deps: CameraRuntimeDeps): CameraRuntimeFactory {
  const live = new Map<string, LiveCamera>();
  return {
    start(camera) {
      const runtime = new LiveCamera(camera, deps, () => {
        if (live.get(camera.id) === runtime) live.delete(camera.id);
      });
      live.set(camera.id, runtime);
      return runtime;
    },
    notePrediction(prediction) {
      live.get(prediction.cameraId)?.notePrediction(prediction);
    },
    liveInput: (cameraId) =>
      live.get(cameraId)?.liveInput() ?? { state: 'pending', reason: 'the camera is not running' },
  };
}

class LiveCamera implements CameraRuntime {
  private current: CameraStatus;
  private readonly target: SourceTarget;
  private source: SupervisedCameraSource | undefined;
  private simulator: SimulatedCamera | undefined;
  private readonly subscriptions: Subscription[] = [];
  private readonly fpsMeter = new FpsMeter();
  private last: LastPrediction | null = null;
  private closing: Promise<void> | undefined;
  private intakeStopped = false;

  constructor(
    private readonly camera: ResolvedCamera,
    private readonly deps: CameraRuntimeDeps,
    private readonly onClosed: () => void,
  ) {
    this.current = { state: 'connecting', attempt: 0, sinceMs: deps.now() };
    const pipelineOptions = pipelineOptionsOf(camera, deps.modelNumSeg);
    // Validate everything before anything starts, so bad settings are a 400 and not a failed camera.
    resolveCameraOptions(defaultCameraOptions, pipelineOptions);
    this.target = resolveSourceUrl(camera.url, { fileRoots: deps.fileRoots });
    this.startSource(this.target);
  }

  private startSource(target: SourceTarget): void {
    const camera = this.camera;
    const whip = this.deps.whip;
    switch (target.driver) {
      case 'ffmpeg':
        // Resolves the URL again with the substream: both go through the same registry entry checks.
        return this.attach(
          createCameraSource(sourceOptionsOf(camera, camera.url, this.deps.modelNumSeg), this.sourceDeps()),
        );
      case 'whip':
        if (whip === undefined)
          throw sourceUrlError(camera.id, 'whip:// cameras need WHIP ingest, which is off');
        this.refuseSubstream(target);
        return this.attach(
          whip.createSource(
            whipSourceOptions(sourceOptionsOf(camera, camera.url, this.deps.modelNumSeg)),
            this.sourceDeps(),
          ),
        );
      case 'sim': {
        this.refuseSubstream(target);
        const sim = {
          ...parseSimUrl(camera.url),
          ...(target.file === undefined ? {} : { file: target.file }),
        };
        // The simulator's RTSP source gets these settings once it listens: check them now.
        resolveSourceSettings(sourceOptionsOf(camera, camera.url, this.deps.modelNumSeg), 'rtsp');
        void this.startSimulated(sim);
        return;
      }
    }
  }

  private refuseSubstream(target: SourceTarget): void {
    if (this.camera.substreamUrl === undefined) return;
    throw sourceUrlError(
      this.camera.id,
      `substreamUrl is for ffmpeg cameras; a ${target.scheme}:// camera has none`,
    );
  }

  status(): CameraStatus {
    return this.current;
  }

  stats(): CameraRuntimeStats {
    const pipeline = this.deps.pipeline.metrics().cameras[this.camera.id];
    const source = this.source?.stats();
    return {
      fps: this.fpsMeter.fps(this.deps.now()),
      lastPrediction: this.last,
      counters: {
        ...(pipeline ?? {}),
        ffmpegSpawns: source?.spawns ?? 0,
        sourceFrames: source?.frames ?? 0,
        ...(source?.decodeGate === undefined
          ? {}
          : {
              decodeUnitsPassed: source.decodeGate.forwarded,
              decodeUnitsDropped: source.decodeGate.dropped,
              decodeMissedPicks: source.decodeGate.missedPicks,
            }),
      },
    };
  }

  notePrediction(p: Prediction): void {
    this.last = { windowStartWallMs: p.windowStartWallMs, windowEndWallMs: p.windowEndWallMs, top: p.top };
  }

  liveInput(): LiveSource {
    if (this.closing !== undefined || this.intakeStopped)
      return { state: 'pending', reason: 'the camera is stopping' };
    const rtspTransport = this.camera.rtspTransport;
    switch (this.target.driver) {
      case 'sim': {
        const url = this.simulator?.url;
        if (url === undefined) return { state: 'pending', reason: 'the simulated camera is starting' };
        // The simulator's rtsp://127.0.0.1 URL goes through the source table like any camera URL.
        return { state: 'ready', source: resolveIngestTarget(url, undefined), rtspTransport };
      }
      case 'whip':
        return {
          state: 'unavailable',
          code: 'E_LIVE_UNAVAILABLE',
          reason:
            'whip:// cameras have no live view: their WebRTC frames go straight to recognition (watch the publisher instead)',
        };
      case 'ffmpeg':
        // The checked input (a file's real path, its whitelist), not the URL as typed.
        return { state: 'ready', source: this.target, rtspTransport };
    }
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  async stopIntake(): Promise<void> {
    this.intakeStopped = true;
    await this.source?.close();
    await this.simulator?.close();
  }

  private async shutdown(): Promise<void> {
    this.deps.pipeline.removeCamera(this.camera.id);
    await this.stopIntake();
    for (const s of this.subscriptions) s.unsubscribe();
    this.setStatus({ state: 'stopped', sinceMs: this.deps.now() });
    this.onClosed();
  }

  private async startSimulated(sim: ReturnType<typeof parseSimUrl>): Promise<void> {
    try {
      const simulator = await startSimulatedCamera(sim, {
        ffmpegPath: this.deps.ffmpegPath,
        clipsDir: this.deps.clipsDir,
      });
      if (this.closing !== undefined || this.intakeStopped) {
        await simulator.close();
        return;
      }
      this.simulator = simulator;
      this.attach(
        createCameraSource(
          sourceOptionsOf(this.camera, simulator.url, this.deps.modelNumSeg),
          this.sourceDeps(),
        ),
      );
    } catch (error) {
      const message = redactText(error instanceof Error ? error.message : String(error));
      this.deps.logger.error({ camera: this.camera.id, err: message }, 'simulated camera failed to start');
      this.setStatus({ state: 'failed', sinceMs: this.deps.now(), error: { kind: 'unknown', message } });
    }
  }

  private attach(source: SupervisedCameraSource): void {
    this.source = source;
    const id = this.camera.id;
    this.subscriptions.push(
      source.status$.subscribe((status) => {
        const wasStreaming = this.current.state === 'streaming';
        this.setStatus(status);
        // A reconnect ends open episodes; a stop (shutdown, removal) ends them with its own reason.
        const reconnecting = status.state !== 'streaming' && status.state !== 'stopped';
        if (wasStreaming && reconnecting && !this.intakeStopped)
          this.deps.pipeline.endEpisodes(id, 'restart');
      }),
      source.frames$.subscribe(() => this.fpsMeter.tick(this.deps.now())),
    );
    try {
      this.deps.pipeline.addCamera(id, source.frames$, pipelineOptionsOf(this.camera, this.deps.modelNumSeg));
    } catch (error) {
      for (const s of this.subscriptions) s.unsubscribe();
      void source.close();
      throw error;
    }
    source.start();
  }

  private setStatus(status: CameraStatus): void {
    if (this.closing !== undefined && status.state !== 'stopped') return;
    this.current = status;
    this.deps.onStatus(this.camera.id, status);
  }

  private sourceDeps() {
    return {
      ffmpegPath: this.deps.ffmpegPath,
      capabilities: this.deps.ffmpegCapabilities,
      now: this.deps.now,
      logger: this.deps.logger,
      fileRoots: this.deps.fileRoots,
    };
  }
}

function sourceUrlError(camera: string, message: string): TsnError {
  return new TsnError('E_SOURCE_URL', `camera ${camera}: ${message}`, { context: { camera } });
}
