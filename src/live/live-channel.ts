// One watched camera: a single live encoder shared by all its viewers. It starts with the first viewer,
// stops lingerMs after the last one leaves, restarts (after restartDelayMs) when it dies while watched, and
// falls back from H.264 pass-through to a transcode when the camera's codec is not H.264.
import { FfmpegProcess, type FfmpegProcessHandlers } from '../sources/ffmpeg-process.js';
import type { FfmpegInput } from '../sources/input-args.js';
import { redactText } from '../sources/redact.js';
import { LiveFanout, type FanoutStats, type LiveViewer } from './fanout.js';
import { liveViewArgs, type LiveMode } from './live-args.js';
import { Mp4FragmentSplitter } from './mp4-fragments.js';

export interface LiveLogger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
}

/**
 * What a camera offers the live view, asked at each encoder start (a sim:// camera's simulator URL appears
 * once it runs): an input from the source table, nothing yet (retried), or never (whip://).
 */
export type LiveSource =
  | { readonly state: 'ready'; readonly source: FfmpegInput; readonly rtspTransport?: 'tcp' | 'udp' }
  | { readonly state: 'pending'; readonly reason: string }
  | { readonly state: 'unavailable'; readonly code: 'E_LIVE_UNAVAILABLE'; readonly reason: string };

export interface LiveChannelOptions {
  readonly cameraId: string;
  readonly input: () => LiveSource;
  readonly ffmpegPath: string;
  readonly lingerMs: number;
  readonly restartDelayMs: number;
  readonly maxBufferedBytes: number;
  /** First try: copy (default; falls back to transcode for non-H.264) or transcode (bench). */
  readonly mode?: LiveMode;
  readonly logger?: LiveLogger;
  /** Tests: replaces the real ffmpeg child. */
  readonly spawn?: (args: string[], handlers: FfmpegProcessHandlers) => Pick<FfmpegProcess, 'kill'>;
}

export interface LiveChannelStats extends FanoutStats {
  readonly encoderRunning: boolean;
  readonly encoderStarts: number;
  readonly mode: LiveMode;
}

export type LiveStatusMessage =
  | { readonly op: 'waiting'; readonly reason: string }
  | { readonly op: 'unavailable'; readonly code: string; readonly reason: string };

export class LiveChannel {
  private readonly fanout: LiveFanout;
  private encoder: Pick<FfmpegProcess, 'kill'> | undefined;
  private encoderInput: string | undefined;
  private exited: Promise<void> = Promise.resolve();
  private lingerTimer: NodeJS.Timeout | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  private mode: LiveMode;
  private encoderStarts = 0;
  private closed = false;

  constructor(private readonly options: LiveChannelOptions) {
    this.fanout = new LiveFanout(options.maxBufferedBytes);
    this.mode = options.mode ?? 'copy';
  }

  addViewer(viewer: LiveViewer): void {
    if (this.closed) return viewer.drop('slow');
    clearTimeout(this.lingerTimer);
    this.lingerTimer = undefined;
    this.fanout.add(viewer);
    if (this.encoder === undefined && this.restartTimer === undefined) this.startEncoder();
  }

  removeViewer(viewer: LiveViewer): void {
    this.fanout.remove(viewer);
    if (this.fanout.size > 0 || this.lingerTimer !== undefined) return;
    this.lingerTimer = setTimeout(() => {
      this.lingerTimer = undefined;
      if (this.fanout.size === 0) this.stopEncoder();
    }, this.options.lingerMs);
  }

  /** The camera's URL changed (PATCH) or it went away: the running encoder restarts on the new one. */
  refreshInput(): void {
    if (this.encoder !== undefined && inputKey(this.options.input()) !== this.encoderInput)
      void this.encoder.kill(2000);
  }

  /** No viewer left and no encoder: the hub may forget this channel. */
  get idle(): boolean {
    return this.fanout.size === 0 && this.encoder === undefined && this.lingerTimer === undefined;
  }

  stats(): LiveChannelStats {
    return {
      ...this.fanout.stats(),
      encoderRunning: this.encoder !== undefined,
      encoderStarts: this.encoderStarts,
      mode: this.mode,
    };
  }

  /** Stops the encoder (SIGTERM, then SIGKILL) and resolves once it has exited. Viewers are the hub's. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.lingerTimer);
    clearTimeout(this.restartTimer);
    this.lingerTimer = this.restartTimer = undefined;
    this.stopEncoder();
    await this.exited;
  }

  private stopEncoder(): void {
    clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    void this.encoder?.kill(2000);
  }

  private startEncoder(): void {
    const live = this.options.input();
    if (live.state === 'pending') return this.retryLater(live.reason);
    if (live.state === 'unavailable') return this.refuse(live);
    const args = liveViewArgs({
      source: live.source,
      mode: this.mode,
      ...(live.rtspTransport === undefined ? {} : { rtspTransport: live.rtspTransport }),
    });
    this.encoderInput = inputKey(live);
    const splitter = new Mp4FragmentSplitter();
    let stderr = '';
    let switching = false;
    let resolveExit: () => void = () => undefined;
    this.exited = new Promise((resolve) => (resolveExit = resolve));
    const handlers: FfmpegProcessHandlers = {
      onStdout: (chunk) => {
        try {
          for (const piece of splitter.push(chunk)) {
            if (piece.kind === 'fragment') this.fanout.push(piece);
            else if (piece.codec !== undefined)
              this.fanout.setInit({ op: 'init', codec: piece.codec, mode: this.mode }, piece.bytes);
            else if (this.mode === 'copy') {
              // Not H.264: browsers' MSE cannot take it as is, so transcode instead.
              switching = true;
              this.mode = 'transcode';
              void encoder.kill(2000);
            }
          }
        } catch (error) {
          stderr += `\n${(error as Error).message}`;
          void encoder.kill(2000);
        }
      },
      onStderr: (text) => (stderr = (stderr + text).slice(-2000)),
      onClose: (result) => {
        this.encoder = undefined;
        this.fanout.clearInit();
        resolveExit();
        const fields = { camera: this.options.cameraId, code: result.code, signal: result.signal };
        if (!switching && !this.closed && this.fanout.size > 0)
          this.options.logger?.warn({ ...fields, stderr: redactText(stderr.trim()) }, 'live encoder exited');
        if (this.closed || this.fanout.size === 0) return;
        if (switching) this.startEncoder();
        else this.retryLater('the live encoder exited; restarting');
      },
    };
    const spawn =
      this.options.spawn ??
      ((a: string[], h: FfmpegProcessHandlers) => new FfmpegProcess(this.options.ffmpegPath, a, h));
    const encoder = spawn(args, handlers);
    this.encoder = encoder;
    this.encoderStarts += 1;
    this.options.logger?.info({ camera: this.options.cameraId, mode: this.mode }, 'live encoder started');
  }

  private retryLater(reason: string): void {
    this.broadcast({ op: 'waiting', reason });
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (!this.closed && this.fanout.size > 0 && this.encoder === undefined) this.startEncoder();
    }, this.options.restartDelayMs);
  }

  /** Nothing to watch, ever (until the camera changes): say why, then close every viewer (4404). */
  private refuse(live: Extract<LiveSource, { state: 'unavailable' }>): void {
    this.options.logger?.info({ camera: this.options.cameraId, code: live.code }, 'no live view');
    this.broadcast({ op: 'unavailable', code: live.code, reason: live.reason });
    this.fanout.dropAll('unavailable');
  }

  private broadcast(message: LiveStatusMessage): void {
    this.fanout.broadcastText(JSON.stringify(message));
  }
}

/** What identifies an encoder's input: a change (PATCH to another URL, kind or whitelist) restarts it. */
function inputKey(live: LiveSource): string | undefined {
  return live.state === 'ready' ? JSON.stringify([live.source, live.rtspTransport]) : undefined;
}
