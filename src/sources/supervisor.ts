import type { CameraFault, CameraFaultKind, CameraStatus } from '../domain/index.js';
import { backoffDelayMs } from './backoff.js';
import type { BackoffStep } from './options.js';
import { classifyExit } from './stderr-classifier.js';

export interface SupervisorConfig {
  readonly backoff: readonly BackoffStep[];
  readonly stallTimeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly authRetryDelayMs: number;
  readonly healthyAfterMs: number;
  /** How far frames may run ahead of real time before it counts as a timestamp jump (Infinity = never). */
  readonly maxLeadMs: number;
  /** False for a file played once: its clean end stops the source instead of replaying it. */
  readonly restartOnEnd: boolean;
  /** Exit faults no retry can heal (the source registry's per-scheme list): `failed`, no backoff. */
  readonly permanentFaults?: ReadonlySet<CameraFaultKind>;
  /** The input is RTSP (how ffmpeg's "Invalid data" is read, see classifyExit). */
  readonly rtsp?: boolean;
}

export type SupervisorAction =
  | { readonly type: 'spawn'; readonly attempt: number }
  /** Ask the process to exit (the shell escalates to SIGKILL); an `exited` input follows. */
  | { readonly type: 'kill' }
  | { readonly type: 'status'; readonly status: CameraStatus }
  /** Stopped for good: the shell completes its observables. */
  | { readonly type: 'done' };

export interface ExitReport {
  readonly code: number | null;
  readonly signal: string | null;
  /** ffmpeg's last stderr lines, already redacted. */
  readonly stderrLines: readonly string[];
}

type State =
  | { readonly name: 'idle' }
  | {
      readonly name: 'running';
      readonly attempt: number;
      readonly spawnedAtMs: number;
      firstFrameAtMs?: number;
      lastFrameAtMs?: number;
    }
  | { readonly name: 'killing'; readonly attempt: number; readonly retryAtMs: number }
  | { readonly name: 'waiting'; readonly attempt: number; readonly retryAtMs: number }
  | { readonly name: 'stopping' }
  | { readonly name: 'ended' }
  | { readonly name: 'failed' }
  | { readonly name: 'stopped' };

/**
 * One camera's connection lifecycle as a pure state machine: inputs are events with the time they
 * happened, outputs are actions for the process shell. It owns no clock and no timer: the shell asks
 * nextDeadlineMs() after every input and calls tick() then, which is what makes it testable in virtual time.
 *
 * Backoff: `failures` counts consecutive failed connections; a connection that streamed for
 * healthyAfterMs resets it. An auth failure waits authRetryDelayMs whatever the schedule says.
 * Status `backoff.attempt` is that failure count; `connecting.attempt` counts spawns since start.
 */
export class Supervisor {
  private state: State = { name: 'idle' };
  private failures = 0;
  private spawns = 0;
  private current: CameraStatus | undefined;

  constructor(private readonly config: SupervisorConfig) {}

  get status(): CameraStatus | undefined {
    return this.current;
  }

  /** Frames count only from a connection the supervisor still trusts (not one it is killing). */
  get acceptsFrames(): boolean {
    return this.state.name === 'running';
  }

  get spawnCount(): number {
    return this.spawns;
  }

  start(nowMs: number): SupervisorAction[] {
    if (this.state.name !== 'idle') return [];
    return this.spawn(nowMs);
  }

  /**
   * A frame arrived at nowMs; `frameWallMs` is where its timestamp puts it on the wall clock. A live
   * stream cannot run ahead of real time: when it does by more than maxLeadMs, the camera's clock jumped
   * and ffmpeg's fps filter is filling the jump with copies of one picture, so the connection is restarted.
   */
  frame(
    nowMs: number,
    size: { readonly width: number; readonly height: number },
    frameWallMs: number = nowMs,
  ): SupervisorAction[] {
    const state = this.state;
    if (state.name !== 'running') return [];
    const leadMs = frameWallMs - nowMs;
    if (leadMs > this.config.maxLeadMs) {
      return this.killForRetry(nowMs, state, {
        kind: 'protocol',
        message: `timestamps jumped: frames ran ${Math.round(leadMs)} ms ahead of real time`,
      });
    }
    state.lastFrameAtMs = nowMs;
    if (state.firstFrameAtMs !== undefined) return [];
    state.firstFrameAtMs = nowMs;
    return [this.publish({ state: 'streaming', sinceMs: nowMs, width: size.width, height: size.height })];
  }

  exited(nowMs: number, report: ExitReport): SupervisorAction[] {
    const state = this.state;
    switch (state.name) {
      case 'running':
        return this.afterUnexpectedExit(
          nowMs,
          state,
          classifyExit(report.stderrLines, report.code, report.signal, { rtsp: this.config.rtsp === true }),
        );
      case 'killing':
        this.state = { name: 'waiting', attempt: state.attempt, retryAtMs: state.retryAtMs };
        return nowMs >= state.retryAtMs ? this.spawn(nowMs) : [];
      case 'stopping':
        return this.finishStop(nowMs);
      case 'idle':
      case 'waiting':
      case 'ended':
      case 'failed':
      case 'stopped':
        return [];
    }
  }

  /** ffmpeg could not even be started (missing binary): retrying cannot help. */
  spawnFailed(nowMs: number, message: string): SupervisorAction[] {
    if (this.state.name !== 'running') return [];
    this.state = { name: 'failed' };
    return [this.publish({ state: 'failed', sinceMs: nowMs, error: { kind: 'unknown', message } })];
  }

  tick(nowMs: number): SupervisorAction[] {
    const state = this.state;
    if (state.name === 'waiting' && nowMs >= state.retryAtMs) return this.spawn(nowMs);
    if (state.name !== 'running') return [];
    if (state.lastFrameAtMs === undefined) {
      if (nowMs - state.spawnedAtMs < this.config.connectTimeoutMs) return [];
      return this.killForRetry(nowMs, state, {
        kind: 'timeout',
        message: `no frame within ${this.config.connectTimeoutMs} ms of connecting`,
      });
    }
    if (nowMs - state.lastFrameAtMs < this.config.stallTimeoutMs) return [];
    return this.killForRetry(nowMs, state, {
      kind: 'stalled',
      message: `no frame for ${this.config.stallTimeoutMs} ms`,
    });
  }

  stop(nowMs: number): SupervisorAction[] {
    switch (this.state.name) {
      case 'running':
        this.state = { name: 'stopping' };
        return [{ type: 'kill' }];
      case 'killing':
        this.state = { name: 'stopping' };
        return [];
      case 'stopping':
      case 'stopped':
        return [];
      case 'idle':
      case 'waiting':
      case 'ended':
      case 'failed':
        return this.finishStop(nowMs);
    }
  }

  /** When the shell must call tick() next; undefined when no timer is needed. */
  nextDeadlineMs(): number | undefined {
    const state = this.state;
    if (state.name === 'waiting') return state.retryAtMs;
    if (state.name !== 'running') return undefined;
    if (state.lastFrameAtMs === undefined) return state.spawnedAtMs + this.config.connectTimeoutMs;
    return state.lastFrameAtMs + this.config.stallTimeoutMs;
  }

  private spawn(nowMs: number): SupervisorAction[] {
    this.spawns += 1;
    this.state = { name: 'running', attempt: this.spawns, spawnedAtMs: nowMs };
    return [
      this.publish({ state: 'connecting', attempt: this.spawns, sinceMs: nowMs }),
      { type: 'spawn', attempt: this.spawns },
    ];
  }

  private afterUnexpectedExit(
    nowMs: number,
    state: Extract<State, { name: 'running' }>,
    fault: CameraFault,
  ): SupervisorAction[] {
    if (fault.kind === 'exited' && !this.config.restartOnEnd) {
      this.state = { name: 'ended' };
      return [this.publish({ state: 'stopped', sinceMs: nowMs })];
    }
    if (this.config.permanentFaults?.has(fault.kind) === true) return this.fail(nowMs, fault);
    const retry = this.scheduleRetry(nowMs, state, fault);
    if (retry === undefined) return this.fail(nowMs, fault);
    this.state = { name: 'waiting', attempt: state.attempt, retryAtMs: nowMs + retry.delayMs };
    return [retry.status];
  }

  private killForRetry(
    nowMs: number,
    state: Extract<State, { name: 'running' }>,
    fault: CameraFault,
  ): SupervisorAction[] {
    const retry = this.scheduleRetry(nowMs, state, fault);
    if (retry === undefined) {
      return [{ type: 'kill' }, ...this.fail(nowMs, fault)];
    }
    this.state = { name: 'killing', attempt: state.attempt, retryAtMs: nowMs + retry.delayMs };
    return [{ type: 'kill' }, retry.status];
  }

  private scheduleRetry(
    nowMs: number,
    state: Extract<State, { name: 'running' }>,
    fault: CameraFault,
  ): { delayMs: number; status: SupervisorAction } | undefined {
    const healthy =
      state.firstFrameAtMs !== undefined && nowMs - state.firstFrameAtMs >= this.config.healthyAfterMs;
    this.failures = healthy ? 1 : this.failures + 1;
    const delayMs =
      fault.kind === 'auth'
        ? this.config.authRetryDelayMs
        : backoffDelayMs(this.config.backoff, this.failures);
    if (delayMs === undefined) return undefined;
    const status: CameraStatus = {
      state: 'backoff',
      attempt: this.failures,
      retryInMs: delayMs,
      sinceMs: nowMs,
      error: fault,
    };
    return { delayMs, status: this.publish(status) };
  }

  private fail(nowMs: number, fault: CameraFault): SupervisorAction[] {
    this.state = { name: 'failed' };
    return [this.publish({ state: 'failed', sinceMs: nowMs, error: fault })];
  }

  private finishStop(nowMs: number): SupervisorAction[] {
    this.state = { name: 'stopped' };
    // A file that already ended is 'stopped' since then: no second transition to publish.
    if (this.current?.state === 'stopped') return [{ type: 'done' }];
    return [this.publish({ state: 'stopped', sinceMs: nowMs }), { type: 'done' }];
  }

  private publish(status: CameraStatus): SupervisorAction {
    this.current = status;
    return { type: 'status', status };
  }
}
