// A WHIP camera's lifecycle as a pure state machine (inputs with their time, outputs as actions), the
// counterpart of the RTSP Supervisor: here the service cannot reconnect, it waits for the publisher.
//
// Statuses (see docs/webrtc.md):
// - connecting {attempt: n}: waiting for publisher session n, or session n is negotiating / has not
//   delivered a decoded frame yet.
// - streaming: frames flow.
// - backoff {retryInMs: 0, error}: the last publisher was lost to a fault (ICE/DTLS closed without
//   DELETE, no frame for stallTimeoutMs, no first frame within connectTimeoutMs, decoder exit); the camera
//   waits for a new publisher, whose POST is the "retry".
// - stopped: the camera was closed.
import type { CameraFault, CameraStatus } from '../../domain/index.js';

export interface WhipLifecycleConfig {
  readonly stallTimeoutMs: number;
  readonly connectTimeoutMs: number;
}

export type WhipAction =
  | { readonly type: 'status'; readonly status: CameraStatus }
  /** Tear the session down (peer connection and decoder); a `left` input is not needed afterwards. */
  | { readonly type: 'end-session'; readonly sessionId: string; readonly fault: CameraFault }
  | { readonly type: 'done' };

type State =
  | { readonly name: 'idle' }
  | { readonly name: 'waiting' }
  | {
      readonly name: 'publishing';
      readonly sessionId: string;
      readonly joinedAtMs: number;
      lastFrameAtMs?: number;
    }
  | { readonly name: 'stopped' };

export class WhipLifecycle {
  private state: State = { name: 'idle' };
  private sessions = 0;
  private failures = 0;
  private current: CameraStatus | undefined;

  constructor(private readonly config: WhipLifecycleConfig) {}

  get status(): CameraStatus | undefined {
    return this.current;
  }

  /** The session frames are accepted from, if any. */
  get activeSessionId(): string | undefined {
    return this.state.name === 'publishing' ? this.state.sessionId : undefined;
  }

  get isStopped(): boolean {
    return this.state.name === 'stopped';
  }

  start(nowMs: number): WhipAction[] {
    if (this.state.name !== 'idle') return [];
    this.state = { name: 'waiting' };
    return [this.publish({ state: 'connecting', attempt: 1, sinceMs: nowMs })];
  }

  /** A publisher's offer was answered. The shell ends any previous session itself (replace). */
  joined(nowMs: number, sessionId: string): WhipAction[] {
    if (this.state.name === 'stopped' || this.state.name === 'idle') return [];
    this.sessions += 1;
    this.state = { name: 'publishing', sessionId, joinedAtMs: nowMs };
    const status = this.current;
    if (status?.state === 'connecting' && status.attempt === this.sessions) return [];
    return [this.publish({ state: 'connecting', attempt: this.sessions, sinceMs: nowMs })];
  }

  frame(nowMs: number, sessionId: string, size: { width: number; height: number }): WhipAction[] {
    const state = this.state;
    if (state.name !== 'publishing' || state.sessionId !== sessionId) return [];
    const first = state.lastFrameAtMs === undefined;
    state.lastFrameAtMs = nowMs;
    if (!first) return [];
    this.failures = 0;
    return [this.publish({ state: 'streaming', sinceMs: nowMs, ...size })];
  }

  /** The session ended by itself: fault undefined for a clean end (DELETE), else why it was lost. */
  left(nowMs: number, sessionId: string, fault: CameraFault | undefined): WhipAction[] {
    const state = this.state;
    if (state.name !== 'publishing' || state.sessionId !== sessionId) return [];
    this.state = { name: 'waiting' };
    if (fault === undefined) {
      return [this.publish({ state: 'connecting', attempt: this.sessions + 1, sinceMs: nowMs })];
    }
    this.failures += 1;
    return [
      this.publish({ state: 'backoff', attempt: this.failures, retryInMs: 0, sinceMs: nowMs, error: fault }),
    ];
  }

  tick(nowMs: number): WhipAction[] {
    const state = this.state;
    if (state.name !== 'publishing') return [];
    if (state.lastFrameAtMs === undefined) {
      if (nowMs - state.joinedAtMs < this.config.connectTimeoutMs) return [];
      return this.lose(nowMs, state.sessionId, {
        kind: 'timeout',
        message: `the publisher sent no decodable frame within ${this.config.connectTimeoutMs} ms`,
      });
    }
    if (nowMs - state.lastFrameAtMs < this.config.stallTimeoutMs) return [];
    return this.lose(nowMs, state.sessionId, {
      kind: 'stalled',
      message: `no frame from the publisher for ${this.config.stallTimeoutMs} ms`,
    });
  }

  stop(nowMs: number): WhipAction[] {
    if (this.state.name === 'stopped') return [];
    const state = this.state;
    this.state = { name: 'stopped' };
    const end: WhipAction[] =
      state.name === 'publishing'
        ? [
            {
              type: 'end-session',
              sessionId: state.sessionId,
              fault: { kind: 'exited', message: 'camera stopped' },
            },
          ]
        : [];
    return [...end, this.publish({ state: 'stopped', sinceMs: nowMs }), { type: 'done' }];
  }

  nextDeadlineMs(): number | undefined {
    const state = this.state;
    if (state.name !== 'publishing') return undefined;
    if (state.lastFrameAtMs === undefined) return state.joinedAtMs + this.config.connectTimeoutMs;
    return state.lastFrameAtMs + this.config.stallTimeoutMs;
  }

  private lose(nowMs: number, sessionId: string, fault: CameraFault): WhipAction[] {
    return [{ type: 'end-session', sessionId, fault }, ...this.left(nowMs, sessionId, fault)];
  }

  private publish(status: CameraStatus): WhipAction {
    this.current = status;
    return { type: 'status', status };
  }
}
