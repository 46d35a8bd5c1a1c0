// One ffmpeg decoding a WHIP publisher's frames: IVF in on stdin, rgb24 out on stdout. Owns the child
// and its pipes, no policy: the WHIP source decides when it starts and stops.
import { spawn, type ChildProcess } from 'node:child_process';
import { ivfFileHeader, ivfFrame, type VideoCodec } from './ivf.js';

export interface IvfDecoderHandlers {
  onStdout(chunk: Buffer): void;
  onStderr(text: string): void;
  /** Exactly once, after the child exited and its pipes were drained (or the spawn failed). */
  onClose(result: {
    readonly code: number | null;
    readonly signal: string | null;
    readonly spawnError?: Error;
  }): void;
}

export interface IvfDecoderOptions {
  readonly ffmpegPath: string;
  readonly args: readonly string[];
  readonly codec: VideoCodec;
  /** Encoded bytes allowed to wait in stdin's buffer; beyond that frames are refused (see write()). */
  readonly maxPendingBytes: number;
}

export class IvfDecoder {
  private readonly child: ChildProcess;
  private readonly closedPromise: Promise<void>;
  private closed = false;
  private killTimer: NodeJS.Timeout | undefined;

  constructor(
    options: IvfDecoderOptions,
    private readonly handlers: IvfDecoderHandlers,
  ) {
    let resolveClosed: () => void = () => undefined;
    this.closedPromise = new Promise((resolve) => (resolveClosed = resolve));
    this.maxPendingBytes = options.maxPendingBytes;
    this.child = spawn(options.ffmpegPath, options.args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const finish = (code: number | null, signal: string | null, spawnError?: Error): void => {
      if (this.closed) return;
      this.closed = true;
      clearTimeout(this.killTimer);
      this.child.removeAllListeners();
      this.child.stdout?.removeAllListeners('data');
      this.child.stderr?.removeAllListeners('data');
      this.child.on('error', () => undefined);
      handlers.onClose(spawnError === undefined ? { code, signal } : { code, signal, spawnError });
      resolveClosed();
    };
    // ffmpeg closing its stdin early (exit, crash) makes our writes fail with EPIPE: its exit says why.
    this.child.stdin?.on('error', () => undefined);
    this.child.stdout?.on('data', (chunk: Buffer) => handlers.onStdout(chunk));
    this.child.stderr?.setEncoding('utf8');
    this.child.stderr?.on('data', (text: string) => handlers.onStderr(text));
    this.child.on('error', (error) => {
      if (this.child.pid === undefined) finish(null, null, error);
    });
    this.child.on('close', (code, signal) => finish(code, signal));
    this.child.stdin?.write(ivfFileHeader(options.codec));
  }

  private readonly maxPendingBytes: number;

  get pid(): number | undefined {
    return this.closed ? undefined : this.child.pid;
  }

  /**
   * Queues one frame. False when it was refused because ffmpeg is that far behind: the caller must then
   * wait for a keyframe, since the frames after a missing one do not decode.
   */
  write(data: Uint8Array, pts: number): boolean {
    const stdin = this.child.stdin;
    if (this.closed || stdin === null || stdin.destroyed || stdin.writableEnded) return false;
    if (stdin.writableLength > this.maxPendingBytes) return false;
    stdin.write(ivfFrame(data, pts));
    return true;
  }

  /** Closes stdin (ffmpeg flushes and exits), then SIGTERM, then SIGKILL after graceMs. */
  kill(graceMs: number): Promise<void> {
    if (this.closed) return this.closedPromise;
    if (this.killTimer === undefined) {
      this.child.stdin?.end();
      this.child.kill('SIGTERM');
      this.killTimer = setTimeout(() => {
        if (!this.closed) this.child.kill('SIGKILL');
      }, graceMs);
    }
    return this.closedPromise;
  }
}
