// Runs `node bin/tsn.js serve` as a child process with a generated config and hands back its HTTP URL
// (from the "listening" log line); close() sends SIGTERM (graceful stop) and waits for the exit.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export interface ServiceOptions {
  readonly repoRoot: string;
  readonly workDir: string;
  readonly modelDir: string;
  /** `substreamUrl`: what recognition decodes instead of `url` (the live view keeps `url`). */
  readonly cameras: readonly { readonly id: string; readonly url: string; readonly substreamUrl?: string }[];
  readonly threads: number;
  /** Inference workers (backend.workers), and as many backbone calls in flight. Default 1. */
  readonly workers?: number;
  /** Replaces the per-camera defaults below (keys given win). */
  readonly defaults?: Readonly<Record<string, unknown>>;
  /** More top-level config sections (liveView, ...). */
  readonly extra?: Readonly<Record<string, unknown>>;
  /** File name of the generated config in workDir (benches running side by side). */
  readonly configName?: string;
  /** Frames sampled per second per camera (default 4). */
  readonly sampleFps?: number;
  /** The service's batching (maxBatch, maxWaitMs); maxInFlight is always `workers`. */
  readonly batching?: { readonly maxBatch?: number; readonly maxWaitMs?: number };
  /** The ffmpeg the service decodes with (FFMPEG_PATH); default: the service's own choice. */
  readonly ffmpegPath?: string;
}

export interface ServiceProcess {
  readonly pid: number;
  readonly url: string;
  close(): Promise<void>;
}

export async function startService(o: ServiceOptions, startTimeoutMs = 120_000): Promise<ServiceProcess> {
  const config = {
    server: { host: '127.0.0.1', port: 0 },
    model: { dir: o.modelDir },
    backend: { name: 'onnx', executionProviders: ['cpu'], threads: o.threads, workers: o.workers ?? 1 },
    batching: { ...o.batching, maxInFlight: o.workers ?? 1 },
    // One prediction per second per camera: 8 segments over 8 s, sliding by one segment.
    defaults: {
      ...{
        publishPredictions: true,
        numSeg: 8,
        windowMs: 8000,
        strideSegments: 1,
        sampleFps: o.sampleFps ?? 4,
      },
      ...o.defaults,
    },
    cameras: o.cameras.map((c) => ({ ...c })),
    ...o.extra,
  };
  const file = join(o.workDir, o.configName ?? 'bench-serve.json');
  // JSON is YAML: the service's loader reads it as any config file.
  writeFileSync(file, JSON.stringify(config, null, 2));
  const child = spawn(process.execPath, [join(o.repoRoot, 'bin', 'tsn.js'), 'serve', '--config', file], {
    stdio: ['ignore', 'pipe', 'inherit'],
    cwd: o.workDir,
    env: o.ffmpegPath === undefined ? process.env : { ...process.env, FFMPEG_PATH: o.ffmpegPath },
  });
  const url = await listeningUrl(child, startTimeoutMs).catch(async (error: unknown) => {
    await stop(child);
    throw error;
  });
  // Keep draining the log, or the service blocks on a full pipe.
  child.stdout?.on('data', () => undefined).resume();
  let closing: Promise<void> | undefined;
  return { pid: child.pid ?? -1, url, close: () => (closing ??= stop(child)) };
}

async function listeningUrl(child: ChildProcess, timeoutMs: number): Promise<string> {
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
  try {
    for await (const line of lines) {
      const entry = JSON.parse(line) as { msg?: string; url?: string; level?: number };
      if ((entry.level ?? 0) >= 50) console.error(`service: ${line}`);
      if (entry.msg === 'listening' && typeof entry.url === 'string') return entry.url;
    }
    throw new Error(`tsn serve exited (code ${String(child.exitCode)}) before listening`);
  } finally {
    clearTimeout(timer);
  }
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}
