// Runs bench/serve/pytorch_recompute.py against the simulator's cameras and returns its JSON plus its
// CPU (process tree) over the run; undefined (with a note) when python3-torch/torchvision/opencv are missing.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { descendantsOf, readProc } from '../lib/proc-stats.js';

export interface PytorchPeerResult {
  readonly predictionsPerSecond: number;
  readonly perCameraPerSecond: readonly number[];
  readonly latencyMs: { readonly p50: number | null; readonly p99: number | null };
  readonly droppedWindows: number;
  readonly cpuCores: number;
}

export async function runPytorchPeer(
  repoRoot: string,
  urls: readonly string[],
  o: { seconds: number; warmupSeconds: number; threads: number },
): Promise<PytorchPeerResult | undefined> {
  const script = join(repoRoot, 'bench', 'serve', 'pytorch_recompute.py');
  const config = JSON.stringify({ urls, seconds: o.seconds, warmup: o.warmupSeconds, threads: o.threads });
  const child = spawn('/usr/bin/python3', [script, config], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let cpuSeconds = 0;
  const sample = setInterval(() => {
    const pid = child.pid ?? -1;
    const total = (readProc(pid)?.cpuSeconds ?? 0) + descendantsOf(pid).reduce((s, p) => s + p.cpuSeconds, 0);
    cpuSeconds = Math.max(cpuSeconds, total);
  }, 500);
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-2000)));
  const started = performance.now();
  const code = await new Promise<number | null>((done) => child.once('close', done));
  clearInterval(sample);
  const wallSeconds = (performance.now() - started) / 1000;
  if (code !== 0) {
    console.log(
      `pytorch peer skipped (needs python3-torch python3-torchvision python3-opencv): ${stderr.trim().split('\n').at(-1) ?? ''}`,
    );
    return undefined;
  }
  const result = JSON.parse(stdout) as Omit<PytorchPeerResult, 'cpuCores'>;
  // Whole-run average (start-up included): the peer's steady state is CPU-bound anyway.
  return { ...result, cpuCores: cpuSeconds / wallSeconds };
}
