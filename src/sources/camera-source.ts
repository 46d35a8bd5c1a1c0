import type { Observable, SchedulerLike } from 'rxjs';
import type { CameraStatus, Frame } from '../domain/index.js';
import { decoderOutputLag, ffmpeg51, type FfmpegCapabilities } from './ffmpeg-capabilities.js';
import { FfmpegProcess, type FfmpegProcessHandlers, type FfmpegProcessOptions } from './ffmpeg-process.js';
import {
  buildIngestArgs,
  buildRelayDecoderArgs,
  buildRelayDemuxArgs,
  type IngestArgsOptions,
} from './ingest-args.js';
import type { DecodeGateStats } from './decode-gate.js';
import { RelayIngest } from './relay-ingest.js';
import { LineRing } from './line-ring.js';
import { probeFfmpegCapabilities } from './probe.js';
import { resolveSourceOptions, type ResolvedSourceOptions, type SourceOptions } from './options.js';
import { redactText, redactUrl } from './redact.js';
import { shellDepsOf, SourceShell, type SourceLogger } from './source-shell.js';
import { Supervisor, type SupervisorAction } from './supervisor.js';
import type { CameraSource } from './types.js';

export type { SourceLogger } from './source-shell.js';

/** The part of a child process a source drives (FfmpegProcess; a fake in virtual-time tests). */
export interface SourceProcess {
  readonly pid: number | undefined;
  /** SIGTERM, then SIGKILL after graceMs; resolves once the process is gone. */
  kill(graceMs: number): Promise<void>;
}

export type SpawnProcess = (
  ffmpegPath: string,
  args: readonly string[],
  handlers: FfmpegProcessHandlers,
  options?: FfmpegProcessOptions,
) => SourceProcess;

export const spawnFfmpeg: SpawnProcess = (path, args, handlers, options) =>
  new FfmpegProcess(path, args, handlers, options);

export interface CameraSourceDeps {
  readonly ffmpegPath: string;
  /** Wall clock, epoch ms (default: the scheduler's now, i.e. Date.now). */
  readonly now?: () => number;
  /** Where the source's timers run (default asyncScheduler; a TestScheduler runs them in virtual time). */
  readonly scheduler?: SchedulerLike;
  readonly logger?: SourceLogger;
  /**
   * What the ffmpeg binary supports. Pass probeFfmpegCapabilities(ffmpegPath), probed once at start;
   * when absent, every createCameraSource() probes the binary itself (a ~60 ms blocking `ffmpeg -version`),
   * because guessing wrong breaks RTSP on ffmpeg 4 (its `-timeout` means "listen").
   */
  readonly capabilities?: FfmpegCapabilities;
  /** Directories file cameras must lie in (see SourcePolicy); the service passes config sources.fileRoots. */
  readonly fileRoots?: readonly string[];
  /** Starts ffmpeg (default: a real FfmpegProcess). decode 'picked' always runs real processes. */
  readonly spawn?: SpawnProcess;
}

export interface SourceStats {
  readonly spawns: number;
  readonly frames: number;
  /** Bytes of incomplete frames thrown away when a connection ended mid-frame. */
  readonly partialBytesDropped: number;
  /** The running ffmpeg's pid, if any. */
  readonly pid: number | undefined;
  /** decode 'picked' only. */
  readonly decodeGate?: GateTotals;
}

/** decode 'picked': access units the decode gate passed on or dropped, and picks it missed. */
export type GateTotals = Omit<DecodeGateStats, 'passAll'>;

export interface SupervisedCameraSource extends CameraSource {
  stats(): SourceStats;
}

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

  private readonly shell: SourceShell<SupervisorAction>;
  private readonly supervisor: Supervisor;
  private readonly stderr: LineRing;
  private readonly args: readonly string[];
  private readonly argsOptions: IngestArgsOptions;
  private relayIngest: RelayIngest | undefined;
  private pastGate: GateTotals = { forwarded: 0, dropped: 0, missedPicks: 0 };
  private readonly redactedUrl: string;
  private readonly spawnProcess: SpawnProcess;
  private process: SourceProcess | undefined;
  private closing: Promise<void> | undefined;
  private finished: (() => void) | undefined;

  constructor(
    private readonly options: ResolvedSourceOptions,
    private readonly deps: CameraSourceDeps,
  ) {
    this.cameraId = options.id;
    this.spawnProcess = deps.spawn ?? spawnFfmpeg;
    const knownUrls = [options.url, options.substreamUrl ?? ''];
    this.stderr = new LineRing(options.stderrLines, 2_000, (line) => redactText(line, knownUrls));
    const { target } = options;
    this.redactedUrl = redactUrl(options.substreamUrl ?? options.url);
    this.argsOptions = {
      kind: target.kind,
      input: target.input,
      protocolWhitelist: target.protocolWhitelist,
      sampleFps: options.sampleFps,
      output: options.output,
      rtspTransport: options.rtspTransport,
      hwaccel: options.hwaccel,
      hwaccelDevice: options.hwaccelDevice,
      decode: options.decode,
      // A backstop only: the supervisor's connect timeout and stall watchdog decide first and say why
      // (capped at maxSocketTimeoutMs, so long camera timeouts let ffmpeg's fire first).
      ioTimeoutMs: Math.max(options.connectTimeoutMs, options.stallTimeoutMs) + 1_000,
      loop: options.loop,
      realtime: options.realtime,
      capabilities: deps.capabilities ?? probeFfmpegCapabilities(deps.ffmpegPath),
    };
    this.args =
      options.decode === 'picked' ? buildRelayDemuxArgs(this.argsOptions) : buildIngestArgs(this.argsOptions);
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
    this.shell = new SourceShell<SupervisorAction>({
      cameraId: options.id,
      output: options.output,
      sampleFps: options.sampleFps,
      reconnectAlignMs: options.decode === 'picked' ? options.segmentMs : 0,
      machine: this.supervisor,
      perform: (action) => this.perform(action),
      faultMessage: 'camera connection failed',
      ...shellDepsOf(deps),
    });
    this.frames$ = this.shell.frames$;
    this.status$ = this.shell.status$;
  }

  start(): void {
    if (this.closing !== undefined) return;
    this.shell.apply(this.supervisor.start(this.shell.now()));
  }

  close(): Promise<void> {
    if (this.closing !== undefined) return this.closing;
    this.closing = new Promise<void>((resolve) => (this.finished = resolve));
    this.shell.apply(this.supervisor.stop(this.shell.now()));
    return this.closing;
  }

  stats(): SourceStats {
    return {
      spawns: this.supervisor.spawnCount,
      frames: this.shell.framesDelivered,
      partialBytesDropped: this.shell.partialBytesDropped,
      pid: this.process?.pid,
      ...(this.options.decode === 'picked' ? { decodeGate: this.gateTotals() } : {}),
    };
  }

  private perform(action: SupervisorAction): void {
    switch (action.type) {
      case 'status':
        return this.shell.publishStatus(action.status);
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
    this.shell.connectionStarted();
    this.stderr.clear();
    this.deps.logger?.info({ camera: this.cameraId, attempt, url: this.redactedUrl }, 'starting ffmpeg');
    const handlers: FfmpegProcessHandlers = {
      onStdout: (chunk) => this.onStdout(chunk),
      onStderr: (text) => this.stderr.push(text),
      onClose: (result) => {
        if (this.process === proc) this.process = undefined;
        this.shell.connectionEnded();
        const now = this.shell.now();
        if (result.spawnError !== undefined) {
          const message = `cannot run ffmpeg at ${this.deps.ffmpegPath}: ${result.spawnError.message}; install ffmpeg or set FFMPEG_PATH`;
          this.shell.apply(this.supervisor.spawnFailed(now, message));
        }
        this.shell.apply(
          this.supervisor.exited(now, {
            code: result.code,
            signal: result.signal,
            stderrLines: this.stderr.snapshot(),
          }),
        );
      },
    };
    const proc =
      this.options.decode === 'picked'
        ? this.relay(handlers)
        : this.spawnProcess(this.deps.ffmpegPath, this.args, handlers);
    this.process = proc;
  }

  /** decode 'picked': a demuxer and a gated decoder in place of the one ffmpeg (relay-ingest.ts). */
  private relay(handlers: FfmpegProcessHandlers): RelayIngest {
    const relay = new RelayIngest(
      {
        ffmpegPath: this.deps.ffmpegPath,
        demuxArgs: this.args,
        decoderArgs: (shiftSeconds) => buildRelayDecoderArgs(this.argsOptions, shiftSeconds),
        gate: {
          slotMs: 1000 / this.options.sampleFps,
          segmentMs: this.options.segmentMs,
          outputLagSlots: decoderOutputLag(this.argsOptions.capabilities ?? ffmpeg51),
        },
      },
      handlers,
    );
    this.pastGate = this.gateTotals();
    this.relayIngest = relay;
    return relay;
  }

  /** Access units passed on and dropped by decode 'picked' over every connection so far. */
  private gateTotals(): GateTotals {
    const now = this.relayIngest?.gateStats();
    return {
      forwarded: this.pastGate.forwarded + (now?.forwarded ?? 0),
      dropped: this.pastGate.dropped + (now?.dropped ?? 0),
      missedPicks: this.pastGate.missedPicks + (now?.missedPicks ?? 0),
    };
  }

  private onStdout(chunk: Buffer): void {
    const size = { width: this.options.output.width, height: this.options.output.height };
    this.shell.pushDecoded(chunk, {
      accepts: () => this.supervisor.acceptsFrames,
      admit: (now, times) => {
        this.shell.apply(this.supervisor.frame(now, size, times.scheduledWallMs));
        // This frame may have made the supervisor give the connection up (timestamps jumped).
        return this.supervisor.acceptsFrames;
      },
    });
  }

  private async finish(): Promise<void> {
    await this.process?.kill(this.options.killGraceMs);
    this.shell.complete();
    this.finished?.();
  }
}
