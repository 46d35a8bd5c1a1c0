import { randomInt } from 'node:crypto';
import { TsnError } from '../../../src/errors/index.js';
import { EncoderProcess, type EncoderProcessEvents } from './encoder-process.js';
import { canPassThrough, encoderArgs, framesPerSecond, type FrameRate } from './ffmpeg-args.js';
import type { MediaSource, SharedFileReaders } from './shared-reader.js';
import { AccessUnitTimer, type ParameterSets, type TimedAccessUnit } from './timed-units.js';
import { defaultMaxPayloadBytes } from '../rtp/h264-packetizer.js';
import { DelayLine } from './delay-line.js';

export interface CameraFeedOptions {
  readonly name: string;
  readonly file: string;
  readonly frameRate: FrameRate;
  readonly ffmpegPath: string;
  readonly idleStopMs: number;
  readonly log: (line: string) => void;
  /** Called with the pid of every ffmpeg started (tests check none survives close()). */
  readonly onSpawn?: (pid: number) => void;
  /**
   * With the file's codec: an H.264 file at its own size is served from the shared passthrough reader
   * (no re-encode); otherwise, or without readers, the camera runs its own encoder.
   */
  readonly readers?: SharedFileReaders;
  readonly codec?: string;
  /** Serve the stream this much later than it is read (CameraSpec.delayMs); 0 or absent: at once. */
  readonly delayMs?: number;
}

type Listener = (unit: TimedAccessUnit) => void;
export interface Size {
  readonly width: number;
  readonly height: number;
}

const parameterSetsTimeoutMs = 15_000;

/**
 * The live stream of one camera. The encoder starts when a client asks for it (DESCRIBE or PLAY) and stops
 * idleStopMs after the last watcher leaves, so idle cameras cost no CPU. A size change starts a second
 * encoder and switches over at its first IDR, so watchers see one continuous stream with new SPS/PPS.
 */
export class CameraFeed {
  private readonly listeners = new Set<Listener>();
  private readonly timer: AccessUnitTimer;
  private encoder: MediaSource | undefined;
  private pendingEncoder: MediaSource | undefined;
  private size: Size | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private readonly waiters = new Set<() => void>();
  private lastUnitWallMs = 0;
  private lastUnitTimestamp = 0;
  private closed = false;
  private restartTimer: NodeJS.Timeout | undefined;
  private readonly startedListeners = new Set<() => void>();
  private lastExitDetail = '';
  private announceStart = false;
  private readonly stopping = new Set<Promise<void>>();
  private readonly delay: DelayLine<TimedAccessUnit> | undefined;
  private delayTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: CameraFeedOptions) {
    this.timer = new AccessUnitTimer(options.frameRate, randomInt(0, 2 ** 31), defaultMaxPayloadBytes);
    const delayMs = options.delayMs ?? 0;
    // Room for twice the units the delay holds at the file's rate: only a stalled event loop fills it.
    const maxUnits = Math.ceil((delayMs / 1000) * framesPerSecond(options.frameRate) * 2) + 16;
    this.delay = delayMs > 0 ? new DelayLine(delayMs, maxUnits) : undefined;
  }

  get running(): boolean {
    return this.encoder !== undefined;
  }

  /**
   * Called when an encoder started from idle delivers its first picture (resolution faults time themselves
   * from it: ffmpeg's start-up time varies a lot on a loaded machine).
   */
  onStarted(listener: () => void): () => void {
    this.startedListeners.add(listener);
    return () => this.startedListeners.delete(listener);
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    this.ensureRunning();
    return () => {
      this.listeners.delete(listener);
      this.scheduleIdleStop();
    };
  }

  /** SPS/PPS for the SDP; starts the encoder if needed and waits for its first IDR. */
  async parameterSets(): Promise<ParameterSets> {
    this.ensureRunning();
    try {
      return this.timer.latestParameterSets ?? (await this.nextParameterSets());
    } finally {
      // A DESCRIBE without PLAY must not keep the encoder alive; the grace period starts once it is answered.
      this.scheduleIdleStop();
    }
  }

  private nextParameterSets(): Promise<ParameterSets> {
    return new Promise((resolve, reject) => {
      const deadline = setTimeout(() => {
        this.waiters.delete(check);
        reject(
          new TsnError(
            'E_SIM_FFMPEG',
            `camera ${this.options.name}: no H.264 from ffmpeg within ${parameterSetsTimeoutMs} ms`,
            { context: { camera: this.options.name, file: this.options.file } },
          ),
        );
      }, parameterSetsTimeoutMs);
      const check = (): void => {
        const sets = this.timer.latestParameterSets;
        const failed = this.encoder === undefined && !this.closed;
        if (sets === undefined && !this.closed && !failed) return;
        clearTimeout(deadline);
        this.waiters.delete(check);
        if (sets !== undefined) resolve(sets);
        else if (this.closed) reject(new TsnError('E_SIM_CLOSED', 'simulator closed'));
        else reject(this.encoderFailure());
      };
      this.waiters.add(check);
    });
  }

  /** RTP time of "now", extrapolated from the last unit sent (for RTP-Info and sender reports). */
  rtpTimestampAt(wallMs: number): number {
    if (this.lastUnitWallMs === 0) return this.timer.nextTimestamp();
    return (this.lastUnitTimestamp + Math.round((wallMs - this.lastUnitWallMs) * 90)) >>> 0;
  }

  /** Re-encodes at another size (undefined = the file's own size) from the next IDR on. */
  setSize(size: Size | undefined): void {
    if (this.size?.width === size?.width && this.size?.height === size?.height) return;
    this.size = size;
    if (this.encoder === undefined || this.closed) return;
    this.retire(this.pendingEncoder);
    this.pendingEncoder = this.spawnEncoder((unit) => unit.isKeyframe);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.idleTimer);
    clearTimeout(this.restartTimer);
    clearTimeout(this.delayTimer);
    this.delay?.clear();
    this.listeners.clear();
    for (const waiter of [...this.waiters]) waiter();
    this.retire(this.encoder);
    this.retire(this.pendingEncoder);
    this.encoder = undefined;
    this.pendingEncoder = undefined;
    await Promise.all(this.stopping);
  }

  private ensureRunning(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    if (this.encoder !== undefined || this.closed) return;
    this.encoder = this.spawnEncoder(() => true);
    this.announceStart = true;
  }

  private scheduleIdleStop(): void {
    if (this.listeners.size > 0 || this.closed) return;
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      this.idleTimer = undefined;
      if (this.listeners.size > 0) return;
      this.options.log(`camera ${this.options.name}: nobody watches, encoder stopped`);
      this.retire(this.encoder);
      this.retire(this.pendingEncoder);
      this.encoder = undefined;
      this.pendingEncoder = undefined;
    }, this.options.idleStopMs);
  }

  /**
   * acceptsFirst decides at which unit a pending encoder takes over (its first IDR). A shared reader
   * joined mid-stream also starts at an IDR: the units before it cannot be decoded.
   */
  private spawnEncoder(acceptsFirst: (unit: { isKeyframe: boolean }) => boolean): MediaSource {
    const { readers, codec, file } = this.options;
    const passable = canPassThrough({ codec: codec ?? 'unknown' }, this.size);
    const shared = readers !== undefined && passable && readers.canShare(file);
    let live = false;
    // Assigned below, before ffmpeg can deliver anything.
    let source: MediaSource | undefined;
    const events: EncoderProcessEvents = {
      onAccessUnit: (unit) => {
        if (!live) {
          if (source !== this.encoder && !acceptsFirst(unit)) return;
          if (shared && !unit.isKeyframe) return;
          live = true;
          if (source) this.promote(source);
        }
        if (source === this.encoder) this.deliver(this.timer.push(unit));
      },
      onUnexpectedExit: (detail) => {
        if (source) this.handleExit(source, detail);
      },
    };
    if (shared) {
      const reader = readers.subscribe(file, events);
      source = reader;
      this.options.log(`camera ${this.options.name}: passing ${file} through (reader pid ${reader.pid})`);
      return reader;
    }
    const args = encoderArgs({
      file,
      frameRate: this.options.frameRate,
      ...(this.size === undefined ? {} : { size: this.size }),
    });
    const encoder = new EncoderProcess(this.options.ffmpegPath, args, events);
    source = encoder;
    if (encoder.pid !== undefined) this.options.onSpawn?.(encoder.pid);
    this.options.log(`camera ${this.options.name}: encoder pid ${encoder.pid} started (${args.join(' ')})`);
    return encoder;
  }

  // Every stop in flight is remembered so close() can wait for all of them: no ffmpeg outlives close().
  private retire(encoder: MediaSource | undefined): void {
    if (encoder === undefined) return;
    const stopped = encoder.stop().finally(() => this.stopping.delete(stopped));
    this.stopping.add(stopped);
  }

  private promote(encoder: MediaSource): void {
    if (encoder !== this.pendingEncoder) return;
    const old = this.encoder;
    this.encoder = encoder;
    this.pendingEncoder = undefined;
    this.retire(old);
    this.options.log(
      `camera ${this.options.name}: switched to ${this.size ? `${this.size.width}x${this.size.height}` : 'native size'}`,
    );
  }

  private deliver(unit: TimedAccessUnit): void {
    // SPS/PPS are known on arrival: a DESCRIBE does not wait out the delay.
    for (const waiter of [...this.waiters]) waiter();
    if (this.delay === undefined) {
      this.emit(unit);
      return;
    }
    const droppedBefore = this.delay.dropped;
    this.delay.push(unit, Date.now());
    // The first drop and every hundredth: a stalled loop must not also flood the log.
    if (this.delay.dropped > droppedBefore && this.delay.dropped % 100 === 1) {
      this.options.log(
        `camera ${this.options.name}: delay queue full, ${this.delay.dropped} unit(s) dropped so far (the event loop stalled?)`,
      );
    }
    this.armDelayTimer();
  }

  private armDelayTimer(): void {
    const dueMs = this.delay?.nextDueMs;
    if (this.delayTimer !== undefined || dueMs === undefined || this.closed) return;
    this.delayTimer = setTimeout(
      () => {
        this.delayTimer = undefined;
        for (const unit of this.delay?.takeDue(Date.now()) ?? []) this.emit(unit);
        this.armDelayTimer();
      },
      Math.max(0, dueMs - Date.now()),
    );
  }

  private emit(unit: TimedAccessUnit): void {
    this.lastUnitWallMs = Date.now();
    this.lastUnitTimestamp = unit.rtpTimestamp;
    if (this.announceStart) {
      this.announceStart = false;
      for (const listener of this.startedListeners) listener();
    }
    for (const listener of [...this.listeners]) listener(unit);
  }

  // A crashed encoder is restarted after a pause while someone still watches; the file was readable at
  // start, so a crash is transient (OOM, killed by hand).
  private encoderFailure(): TsnError {
    return new TsnError(
      'E_SIM_FFMPEG',
      `camera ${this.options.name}: the encoder failed: ${this.lastExitDetail}`,
      {
        context: { camera: this.options.name, file: this.options.file },
      },
    );
  }

  private handleExit(encoder: MediaSource, detail: string): void {
    this.options.log(`camera ${this.options.name}: ${detail}`);
    // A shared reader may still be stopping (B-frames found): close() must wait for it too.
    this.retire(encoder);
    this.lastExitDetail = detail;
    if (encoder === this.pendingEncoder) this.pendingEncoder = undefined;
    if (encoder !== this.encoder || this.closed) return;
    this.encoder = undefined;
    for (const waiter of [...this.waiters]) waiter();
    if (this.listeners.size === 0) return;
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (this.listeners.size > 0) this.ensureRunning();
    }, 1_000);
  }
}
