// Starts simulator-child.js and hands back its camera URLs; close() stops it (and, through it, every
// encoder ffmpeg). The child also exits by itself when this process dies (its stdin closes).
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export interface Feed {
  readonly name: string;
  readonly file: string;
  /** The simulator's CameraSpec.delayMs: serve this feed this much later than it is read. */
  readonly delayMs?: number;
}

export interface SimulatorProcess {
  readonly pid: number;
  url(feed: string): string;
  close(): Promise<void>;
}

export async function startSimulatorProcess(
  ffmpegPath: string,
  feeds: readonly Feed[],
  startTimeoutMs = 30_000,
): Promise<SimulatorProcess> {
  const script = fileURLToPath(new URL('./simulator-child.js', import.meta.url));
  const child = spawn(process.execPath, [script, JSON.stringify({ ffmpegPath, feeds })], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const port = await firstLinePort(child, startTimeoutMs).catch(async (error: unknown) => {
    await stop(child);
    throw error;
  });
  let closing: Promise<void> | undefined;
  return {
    pid: child.pid ?? -1,
    url: (feed) => `rtsp://127.0.0.1:${port}/${feed}`,
    close: () => (closing ??= stop(child)),
  };
}

async function firstLinePort(child: ChildProcess, timeoutMs: number): Promise<number> {
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
  try {
    for await (const line of lines) {
      const parsed = JSON.parse(line) as { port?: number };
      if (typeof parsed.port === 'number') return parsed.port;
    }
    throw new Error(`the simulator process exited (code ${String(child.exitCode)}) before listening`);
  } finally {
    clearTimeout(timer);
    lines.close();
  }
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}
