import { spawn, type ChildProcess } from 'node:child_process';
import type { Writable } from 'node:stream';

export interface FfmpegProcessHandlers {
  onStdout(chunk: Buffer): void;
  onStderr(text: string): void;
  /** Exactly once, after stdout and stderr were drained (or when the spawn itself failed). */
  onClose(result: {
    readonly code: number | null;
    readonly signal: string | null;
    readonly spawnError?: Error;
  }): void;
}

export interface FfmpegProcessOptions {
  /** Pipe stdin (input fed by the caller, e.g. WHIP frames); otherwise stdin is ignored. */
  readonly stdin?: boolean;
}

/**
 * One ffmpeg child with its pipes. The only place in sources/ that touches child_process; it owns no
 * policy: the supervisor (or the WHIP source) decides when to start and stop it.
 */
export class FfmpegProcess {
  private readonly child: ChildProcess;
  private killTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly closedPromise: Promise<void>;

  constructor(
    ffmpegPath: string,
    args: readonly string[],
    handlers: FfmpegProcessHandlers,
    options: FfmpegProcessOptions = {},
  ) {
    let resolveClosed: () => void = () => undefined;
    this.closedPromise = new Promise((resolve) => (resolveClosed = resolve));
    this.child = spawn(ffmpegPath, args, { stdio: [options.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
    // ffmpeg closing its stdin early (exit, crash) makes writes fail with EPIPE: its exit says why.
    this.child.stdin?.on('error', () => undefined);
    const finish = (code: number | null, signal: string | null, spawnError?: Error): void => {
      if (this.closed) return;
      this.closed = true;
      clearTimeout(this.killTimer);
      this.child.stdout?.removeAllListeners('data');
      this.child.stderr?.removeAllListeners('data');
      this.child.removeAllListeners();
      // A late 'error' (e.g. kill after exit) must not become an uncaught exception.
      this.child.on('error', () => undefined);
      handlers.onClose(spawnError === undefined ? { code, signal } : { code, signal, spawnError });
      resolveClosed();
    };
    this.child.stdout?.on('data', (chunk: Buffer) => handlers.onStdout(chunk));
    this.child.stderr?.setEncoding('utf8');
    this.child.stderr?.on('data', (text: string) => handlers.onStderr(text));
    this.child.on('error', (error) => {
      if (this.child.pid === undefined) finish(null, null, error);
    });
    this.child.on('close', (code, signal) => finish(code, signal));
  }

  get pid(): number | undefined {
    return this.closed ? undefined : this.child.pid;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** The child's stdin when it was spawned with `stdin: true` and is still writable. */
  get stdin(): Writable | undefined {
    const stdin = this.child.stdin;
    if (this.closed || stdin === null || stdin.destroyed || stdin.writableEnded) return undefined;
    return stdin;
  }

  /** Stops reading stdout: the pipe fills and ffmpeg blocks on its next write (backpressure). */
  pauseStdout(): void {
    this.child.stdout?.pause();
  }

  resumeStdout(): void {
    this.child.stdout?.resume();
  }

  /**
   * Ends stdin (if piped: ffmpeg flushes and exits), SIGTERM (ffmpeg exits cleanly on it), then SIGKILL
   * if it is still there after graceMs.
   */
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

  whenClosed(): Promise<void> {
    return this.closedPromise;
  }
}
