import { BehaviorSubject, Subject, type Observable } from 'rxjs';
import type { CameraStatus, Frame } from '../domain/index.js';
import type { FfmpegCapabilities } from './ffmpeg-capabilities.js';
import { FfmpegProcess } from './ffmpeg-process.js';
import { FrameClock } from './frame-clock.js';
import { FrameSplitter } from './frame-splitter.js';
import { buildIngestArgs } from './ingest-args.js';
import { LineRing } from './line-ring.js';
import { probeFfmpegCapabilities } from './probe.js';
import { resolveSourceOptions, type ResolvedSourceOptions, type SourceOptions } from './options.js';
import { redactText, redactUrl } from './redact.js';
import { Supervisor, type SupervisorAction } from './supervisor.js';
import type { CameraSource } from './types.js';

/** pino-compatible subset. */
export interface SourceLogger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
}

export interface CameraSourceDeps {
  readonly ffmpegPath: string;
  /** Wall clock, epoch ms (default Date.now). */
  readonly now?: () => number;
  readonly logger?: SourceLogger;
  /**
   * What the ffmpeg binary supports. Pass probeFfmpegCapabilities(ffmpegPath), probed once at start;
   * when absent, every createCameraSource() probes the binary itself (a ~60 ms blocking `ffmpeg -version`),
   * because guessing wrong breaks RTSP on ffmpeg 4 (its `-timeout` means "listen").
   */
  readonly capabilities?: FfmpegCapabilities;
  /** Directories file cameras must lie in (see SourcePolicy); the service passes config sources.fileRoots. */
  readonly fileRoots?: readonly string[];
}

export interface SourceStats {
  readonly spawns: number;
  readonly frames: number;
  /** Bytes of incomplete frames thrown away when a connection ended mid-frame. */
  readonly partialBytesDropped: number;
  /** The running ffmpeg's pid, if any. */
  readonly pid: number | undefined;
}

export interface SupervisedCameraSource extends CameraSource {
  stats(): SourceStats;
}

const silentLogger: SourceLogger = { info: () => undefined, warn: () => undefined };

/**
 * A camera ingested by one supervised ffmpeg at a time. Throws TsnError E_SOURCE_URL / E_SOURCE_OPTIONS
 * on bad options; everything that goes wrong later is reported on status$, never thrown.
 *
 * Backpressure: frames are pushed synchronously to frames$ subscribers from the stdout 'data' handler.
 * While a subscriber runs, Node does not read stdout, the OS pipe fills (64 KiB) and ffmpeg blocks on
 * write, so memory here stays at one partial frame; a subscriber that hands frames to asynchronous work
 * must bound its own queue (the pipeline's batcher drops oldest and counts).
 */
export function createCameraSource(options: SourceOptions, deps: CameraSourceDeps): SupervisedCameraSource {
  const policy = deps.fileRoots === undefined ? {} : { fileRoots: deps.fileRoots };
  return new FfmpegCameraSource(resolveSourceOptions(options, policy), deps);
}

class FfmpegCameraSource implements SupervisedCameraSource {
  readonly cameraId: string;
  readonly frames$: Observable<Frame>;
  readonly status$: Observable<CameraStatus>;

  private readonly frames = new Subject<Frame>();
  private readonly statuses: BehaviorSubject<CameraStatus>;
  private readonly supervisor: Supervisor;
  private readonly splitter: FrameSplitter;
  private readonly clock: FrameClock;
  private readonly stderr: LineRing;
  private readonly now: () => number;
  private readonly logger: SourceLogger;
  private readonly args: readonly string[];
  private readonly redactedUrl: string;
  private process: FfmpegProcess | undefined;
  private timer: NodeJS.Timeout | undefined;
  private timerDeadlineMs: number | undefined;
  private framesDelivered = 0;
  private partialBytesDropped = 0;
  private closing: Promise<void> | undefined;
  private finished: (() => void) | undefined;
  private readonly pending: SupervisorAction[] = [];
  private applying = false;

  constructor(
    private readonly options: ResolvedSourceOptions,
    private readonly deps: CameraSourceDeps,
  ) {
    this.cameraId = options.id;
    this.now = deps.now ?? Date.now;
    this.logger = deps.logger ?? silentLogger;
    this.statuses = new BehaviorSubject<CameraStatus>({ state: 'stopped', sinceMs: this.now() });
    this.frames$ = this.frames.asObservable();
    this.status$ = this.statuses.asObservable();
    const { width, height } = options.output;
    this.splitter = new FrameSplitter(width * height * 3);
    this.clock = new FrameClock(1000 / options.sampleFps);
    const knownUrls = [options.url, options.substreamUrl ?? ''];
    this.stderr = new LineRing(options.stderrLines, 2_000, (line) => redactText(line, knownUrls));
    const { target } = options;
    this.redactedUrl = redactUrl(options.substreamUrl ?? options.url);
    this.args = buildIngestArgs({
      kind: target.kind,
      input: target.input,
      protocolWhitelist: target.protocolWhitelist,
      sampleFps: options.sampleFps,
      output: options.output,
      rtspTransport: options.rtspTransport,
      hwaccel: options.hwaccel,
      hwaccelDevice: options.hwaccelDevice,
      // A backstop only: the supervisor's connect timeout and stall watchdog decide first and say why
      // (capped at maxSocketTimeoutMs, so long camera timeouts let ffmpeg's fire first).
      ioTimeoutMs: Math.max(options.connectTimeoutMs, options.stallTimeoutMs) + 1_000,
      loop: options.loop,
      realtime: options.realtime,
      capabilities: deps.capabilities ?? probeFfmpegCapabilities(deps.ffmpegPath),
    });
    this.supervisor = new Supervisor({
      backoff: options.backoff,
      stallTimeoutMs: options.stallTimeoutMs,
      connectTimeoutMs: options.connectTimeoutMs,
      authRetryDelayMs: options.authRetryDelayMs,
      healthyAfterMs: options.healthyAfterMs,
      maxLeadMs: options.maxLeadMs,
      restartOnEnd: target.kind !== 'file' || options.loop,
      permanentFaults: target.permanentFaults,
      rtsp: target.kind === 'rtsp',
    });
  }

  start(): void {
    if (this.closing !== undefined) return;
    this.apply(this.supervisor.start(this.now()));
  }

  close(): Promise<void> {
    if (this.closing !== undefined) return this.closing;
    this.closing = new Promise<void>((resolve) => (this.finished = resolve));
    this.apply(this.supervisor.stop(this.now()));
    return this.closing;
  }

  stats(): SourceStats {
    return {
      spawns: this.supervisor.spawnCount,
      frames: this.framesDelivered,
      partialBytesDropped: this.partialBytesDropped,
      pid: this.process?.pid,
    };
  }

  /**
   * Runs actions in order. A status subscriber may call close() (or anything else) synchronously: the
   * actions that causes are queued behind the current ones instead of running in the middle of them, so a
   * 'spawn' already decided is still followed by the 'kill' that close() asked for.
   */
  private apply(actions: readonly SupervisorAction[]): void {
    this.pending.push(...actions);
    if (this.applying) return;
    this.applying = true;
    try {
      for (let action = this.pending.shift(); action !== undefined; action = this.pending.shift()) {
        this.perform(action);
      }
    } finally {
      this.applying = false;
    }
    this.rearmTimer();
  }

  private perform(action: SupervisorAction): void {
    switch (action.type) {
      case 'status':
        return this.publishStatus(action.status);
      case 'spawn':
        return this.spawn(action.attempt);
      case 'kill':
        void this.process?.kill(this.options.killGraceMs);
        return;
      case 'done':
        void this.finish();
        return;
    }
  }

  private spawn(attempt: number): void {
    this.splitter.reset();
    this.stderr.clear();
    this.clock.reconnect();
    this.logger.info({ camera: this.cameraId, attempt, url: this.redactedUrl }, 'starting ffmpeg');
    const proc = new FfmpegProcess(this.deps.ffmpegPath, this.args, {
      onStdout: (chunk) => this.onStdout(chunk),
      onStderr: (text) => this.stderr.push(text),
      onClose: (result) => {
        if (this.process === proc) this.process = undefined;
        this.partialBytesDropped += this.splitter.pendingBytes;
        this.splitter.reset();
        const now = this.now();
        if (result.spawnError !== undefined) {
          const message = `cannot run ffmpeg at ${this.deps.ffmpegPath}: ${result.spawnError.message}; install ffmpeg or set FFMPEG_PATH`;
          this.apply(this.supervisor.spawnFailed(now, message));
        }
        this.apply(
          this.supervisor.exited(now, {
            code: result.code,
            signal: result.signal,
            stderrLines: this.stderr.snapshot(),
          }),
        );
      },
    });
    this.process = proc;
  }

  private onStdout(chunk: Buffer): void {
    const { width, height } = this.options.output;
    for (const rgb of this.splitter.push(chunk)) {
      if (!this.supervisor.acceptsFrames) continue;
      const now = this.now();
      const times = this.clock.stamp(now);
      this.apply(this.supervisor.frame(now, { width, height }, times.scheduledWallMs));
      if (!this.supervisor.acceptsFrames) continue; // this frame made the supervisor give up the connection
      this.framesDelivered += 1;
      this.frames.next({
        cameraId: this.cameraId,
        width,
        height,
        rgb,
        ptsMs: times.ptsMs,
        wallMs: times.wallMs,
      });
    }
  }

  private publishStatus(status: CameraStatus): void {
    const fields: Record<string, unknown> = { camera: this.cameraId, state: status.state };
    if (status.state === 'backoff' || status.state === 'failed') {
      fields.fault = status.error.kind;
      fields.reason = status.error.message;
      if (status.state === 'backoff') fields.retryInMs = status.retryInMs;
      this.logger.warn(fields, 'camera connection failed');
    } else {
      this.logger.info(fields, `camera ${status.state}`);
    }
    this.statuses.next(status);
  }

  /** One timer per camera, armed for the supervisor's next deadline (a frame only moves it later). */
  private rearmTimer(): void {
    const deadline = this.supervisor.nextDeadlineMs();
    if (deadline === undefined) return this.clearTimer();
    // An earlier timer may stay: tick() does nothing when nothing is due, and the timer re-arms.
    if (this.timer !== undefined && this.timerDeadlineMs !== undefined && this.timerDeadlineMs <= deadline)
      return;
    this.clearTimer();
    this.timerDeadlineMs = deadline;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.timerDeadlineMs = undefined;
        this.apply(this.supervisor.tick(this.now()));
      },
      Math.max(0, deadline - this.now()),
    );
  }

  private clearTimer(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.timerDeadlineMs = undefined;
  }

  private async finish(): Promise<void> {
    this.clearTimer();
    await this.process?.kill(this.options.killGraceMs);
    this.frames.complete();
    this.statuses.complete();
    this.finished?.();
  }
}
