// The shell every source kind shares around its pure state machine (Supervisor for ffmpeg cameras,
// WhipLifecycle for WHIP): the frames$ / status$ subjects, decoded bytes -> FrameSplitter -> FrameClock
// -> frames$, status logging, the machine's actions run in order, and its one deadline timer on an
// injected rxjs SchedulerLike, so a source's reconnect and stall behaviour runs in virtual time.
import {
  asyncScheduler,
  BehaviorSubject,
  Subject,
  type Observable,
  type SchedulerLike,
  type Subscription,
} from 'rxjs';
import type { CameraStatus, Frame } from '../domain/index.js';
import { FrameClock, type FrameTimes } from './frame-clock.js';
import { FrameSplitter } from './frame-splitter.js';
import type { OutputGeometry } from './options.js';

/** pino-compatible subset. */
export interface SourceLogger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
}

export const silentLogger: SourceLogger = { info: () => undefined, warn: () => undefined };

/** A source's pure state machine as the shell sees it: actions out, one deadline to call tick() at. */
export interface SourceMachine<A> {
  nextDeadlineMs(): number | undefined;
  tick(nowMs: number): readonly A[];
}

export interface SourceShellOptions<A> {
  readonly cameraId: string;
  readonly output: Required<OutputGeometry>;
  readonly sampleFps: number;
  /** FrameClock's reconnectAlignMs (decode 'picked': the segment length); default 0. */
  readonly reconnectAlignMs?: number;
  readonly machine: SourceMachine<A>;
  /** Runs one action; actions it causes (through apply) queue behind the current ones. */
  readonly perform: (action: A) => void;
  /** Log message of a backoff/failed status (the fault and reason go in the fields). */
  readonly faultMessage: string;
  readonly scheduler?: SchedulerLike;
  /** Wall clock, epoch ms (default: the scheduler's now, i.e. Date.now for asyncScheduler). */
  readonly now?: () => number;
  readonly logger?: SourceLogger;
}

type ShellDeps = Pick<SourceShellOptions<unknown>, 'scheduler' | 'now' | 'logger'>;

/** The shell's clock, scheduler and logger from a source's deps (only those given). */
export function shellDepsOf(deps: ShellDeps): ShellDeps {
  return {
    ...(deps.scheduler === undefined ? {} : { scheduler: deps.scheduler }),
    ...(deps.now === undefined ? {} : { now: deps.now }),
    ...(deps.logger === undefined ? {} : { logger: deps.logger }),
  };
}

/** Per decoded frame: whether the connection still counts, and the machine's verdict once stamped. */
export interface FrameGate {
  /** Checked before the frame is stamped (a connection being given up delivers nothing). */
  accepts(): boolean;
  /** The machine saw the frame; false when it made the machine give the connection up. */
  admit(nowMs: number, times: FrameTimes): boolean;
}

export class SourceShell<A> {
  readonly frames$: Observable<Frame>;
  readonly status$: Observable<CameraStatus>;
  readonly now: () => number;
  private readonly frames = new Subject<Frame>();
  private readonly statuses: BehaviorSubject<CameraStatus>;
  private readonly splitter: FrameSplitter;
  private readonly clock: FrameClock;
  private readonly scheduler: SchedulerLike;
  private readonly logger: SourceLogger;
  private readonly pending: A[] = [];
  private applying = false;
  private timer: Subscription | undefined;
  private timerDeadlineMs: number | undefined;
  private delivered = 0;
  private dropped = 0;
  private completed = false;

  constructor(private readonly options: SourceShellOptions<A>) {
    this.scheduler = options.scheduler ?? asyncScheduler;
    const scheduler = this.scheduler;
    this.now = options.now ?? (() => scheduler.now());
    this.logger = options.logger ?? silentLogger;
    this.statuses = new BehaviorSubject<CameraStatus>({ state: 'stopped', sinceMs: this.now() });
    this.frames$ = this.frames.asObservable();
    this.status$ = this.statuses.asObservable();
    const { width, height } = options.output;
    this.splitter = new FrameSplitter(width * height * 3);
    this.clock = new FrameClock(1000 / options.sampleFps, options.reconnectAlignMs ?? 0);
  }

  get framesDelivered(): number {
    return this.delivered;
  }

  /** Bytes of incomplete frames thrown away when a connection ended mid-frame. */
  get partialBytesDropped(): number {
    return this.dropped;
  }

  /**
   * Runs actions in order. An action (or a status subscriber, e.g. one calling close()) may cause more:
   * those queue behind the current ones instead of running in the middle of them. Then the timer is
   * re-armed for the machine's next deadline.
   */
  apply(actions: readonly A[]): void {
    this.pending.push(...actions);
    if (this.applying) return;
    this.applying = true;
    try {
      for (let action = this.pending.shift(); action !== undefined; action = this.pending.shift()) {
        this.options.perform(action);
      }
    } finally {
      this.applying = false;
    }
    this.rearmTimer();
  }

  /** A new connection: no partial frame carries over, and the clock maps the next frame afresh. */
  connectionStarted(): void {
    this.splitter.reset();
    this.clock.reconnect();
  }

  /** The connection ended: its incomplete frame (if any) is dropped and counted. */
  connectionEnded(): void {
    this.dropped += this.splitter.pendingBytes;
    this.splitter.reset();
  }

  /** Decoded rgb24 bytes -> whole frames -> frames$, each through the machine first (`gate`). */
  pushDecoded(chunk: Uint8Array, gate: FrameGate): void {
    const { width, height } = this.options.output;
    for (const rgb of this.splitter.push(chunk)) {
      if (!gate.accepts()) continue;
      const now = this.now();
      const times = this.clock.stamp(now);
      if (!gate.admit(now, times)) continue;
      this.delivered += 1;
      this.frames.next({
        cameraId: this.options.cameraId,
        width,
        height,
        rgb,
        ptsMs: times.ptsMs,
        wallMs: times.wallMs,
      });
    }
  }

  publishStatus(status: CameraStatus, fields: Record<string, unknown> = {}): void {
    const logFields: Record<string, unknown> = {
      camera: this.options.cameraId,
      ...fields,
      state: status.state,
    };
    if (status.state === 'backoff' || status.state === 'failed') {
      logFields.fault = status.error.kind;
      logFields.reason = status.error.message;
      if (status.state === 'backoff') logFields.retryInMs = status.retryInMs;
      this.logger.warn(logFields, this.options.faultMessage);
    } else {
      this.logger.info(logFields, `camera ${status.state}`);
    }
    this.statuses.next(status);
  }

  /** Stops the timer and completes both observables (idempotent). */
  complete(): void {
    this.clearTimer();
    if (this.completed) return;
    this.completed = true;
    this.frames.complete();
    this.statuses.complete();
  }

  /**
   * One timer per source, armed for the machine's next deadline. An earlier timer may stay: tick() does
   * nothing when nothing is due, and the timer re-arms (a frame only moves the deadline later).
   */
  private rearmTimer(): void {
    const deadline = this.completed ? undefined : this.options.machine.nextDeadlineMs();
    if (deadline === undefined) return this.clearTimer();
    if (this.timer !== undefined && this.timerDeadlineMs !== undefined && this.timerDeadlineMs <= deadline)
      return;
    this.clearTimer();
    this.timerDeadlineMs = deadline;
    this.timer = this.scheduler.schedule(
      () => {
        this.timer = undefined;
        this.timerDeadlineMs = undefined;
        this.apply(this.options.machine.tick(this.now()));
      },
      Math.max(0, deadline - this.now()),
    );
  }

  private clearTimer(): void {
    this.timer?.unsubscribe();
    this.timer = undefined;
    this.timerDeadlineMs = undefined;
  }
}
