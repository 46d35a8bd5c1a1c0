import type { ActionSchedule } from './actions/schedule.js';
import type { CameraSchedule } from './actions/schedule-clock.js';

/** What a test or a user can make a simulated camera do wrong. Every field is optional. */
export interface FaultSpec {
  /** Close each client's connection this many ms after its PLAY. */
  readonly dropAfterMs?: number;
  /** Stop sending RTP and RTCP (without closing anything) until the fault is cleared. */
  readonly stall?: boolean;
  /** Answer every request for this camera with 503 (new clients cannot start; running ones go on). */
  readonly refuse?: boolean;
  /** Delay DESCRIBE answers and the first media packets of each session by this many ms. */
  readonly slowStartMs?: number;
  /** Drop this share (0-100) of RTP packets, drawn from a seeded RNG. */
  readonly packetLossPercent?: number;
  /** Flip a byte in this share (0-100) of RTP payloads, drawn from a seeded RNG. */
  readonly corruptPercent?: number;
  /** Re-encode at another size (after afterMs, default at once); new SPS/PPS go in-band. */
  readonly changeResolution?: ResolutionChange;
  /** Seed for the loss/corruption RNG, so a run can be repeated (default 1). */
  readonly seed?: number;
}

export interface ResolutionChange {
  readonly width: number;
  readonly height: number;
  readonly afterMs?: number;
}

export interface CameraAuth {
  readonly username: string;
  readonly password: string;
  readonly scheme: 'basic' | 'digest';
}

export interface CameraSpec {
  /** The path of the camera: rtsp://host:port/<name>. */
  readonly name: string;
  /** Any video file ffmpeg reads; it is looped forever. */
  readonly file: string;
  readonly auth?: CameraAuth;
  readonly faults?: FaultSpec;
  /** The ground truth of `file` when it is a rendered action loop (actions/action-clip.ts). */
  readonly schedule?: ActionSchedule;
  /**
   * Serve the stream this many ms (0-10 000) after it is read. Cameras of one file share one reader, so
   * without it their keyframes come in the same instant; real cameras' are out of step (default 0).
   */
  readonly delayMs?: number;
}

export interface Credentials {
  readonly username: string;
  readonly password: string;
}

export interface RtspSimulatorOptions {
  /** Interface to listen on (default 127.0.0.1). */
  readonly host?: string;
  /** TCP port for RTSP; 0 (the default) picks a free port. */
  readonly port?: number;
  readonly cameras: readonly CameraSpec[];
  readonly ffmpegPath: string;
  readonly logger?: (line: string) => void;
  /** A UDP session nobody refreshes ends after this long (default 60 000 ms, as announced in Session). */
  readonly sessionTimeoutMs?: number;
  /** An encoder nobody watches is stopped after this long (default 5 000 ms). */
  readonly idleStopMs?: number;
  /** Interval of RTCP sender reports (default 2 000 ms). */
  readonly senderReportIntervalMs?: number;
}

export interface RtspSimulator {
  readonly port: number;
  /** rtsp://host:port/<name>, with user:password@ when credentials are given. */
  url(name: string, credentials?: Credentials): string;
  setFault(name: string, fault: FaultSpec): void;
  clearFaults(name: string): void;
  /** A scheduled camera's ground truth (E_SIM_CAMERA for an unknown name); undefined without schedule. */
  schedule(name: string): CameraSchedule | undefined;
  /** Calls listener each time a scheduled camera's loop restarts (its anchor changes). */
  watchSchedule(name: string, listener: (schedule: CameraSchedule) => void): () => void;
  /** Names of the cameras served, in the order given. */
  cameraNames(): readonly string[];
  /** Stops everything: every ffmpeg it started, sockets, timers. Idempotent. */
  close(): Promise<void>;
}
