// Shared by the live-view benches (bench/live-view.ts, live-view-impact.ts, live-delay.ts): the cached
// model and footage, CPU per part of a real `tsn serve` tree, live-view WebSocket viewers, the JSON report.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import { outputState, writeModelDir } from '../../src/model/model-dir.js';
import type { ResNetDepth } from '../../src/model/types.js';
import { descendantsOf, machineJiffies, readProc } from '../lib/proc-stats.js';
import { randomTsnModel } from '../pipeline/random-model.js';
import { ensureFootage, type FootageResolution } from '../serve/footage.js';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const cacheDir = join(repoRoot, '.cache', 'bench-live');

/** The argv marker of a live-view encoder (src/live/live-args.ts): tells it from the recognition ingest. */
const LIVE_MARKER = 'frag_keyframe+empty_moov+default_base_moof';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls probe every 100 ms until it is true; throws naming `what` after timeoutMs. */
export async function until(what: string, probe: () => boolean | Promise<boolean>, timeoutMs: number) {
  const end = performance.now() + timeoutMs;
  while (!(await probe())) {
    if (performance.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(100);
  }
}

/** A random-weights TSN ResNet (10 classes) as a model directory, written once into the cache. */
export async function benchModelDir(depth: ResNetDepth): Promise<string> {
  const dir = join(cacheDir, `r${depth}-c10`);
  if ((await outputState(dir)) !== 'model') {
    const m = randomTsnModel(depth, 10, 8);
    await writeModelDir(dir, { manifest: m.manifest, weights: m.weights, labels: m.labels });
  }
  return dir;
}

/** Real footage at camera bitrate (360p ~0.8 Mbit/s, 1080p ~4 Mbit/s; bench/serve/footage.ts). */
export function benchFootage(ffmpeg: string, resolution: FootageResolution): string {
  const source = join(repoRoot, 'test', 'fixtures', 'reference', 'example.avi');
  return ensureFootage(ffmpeg, source, cacheDir, resolution);
}

/** Cumulative CPU seconds of each part: the service's node process, its ingest and live ffmpeg, the simulator. */
export interface PartsCpu {
  readonly atMs: number;
  readonly service: number;
  readonly ingestFfmpeg: number;
  readonly liveFfmpeg: number;
  readonly simulator: number;
  readonly liveEncoders: number;
  /** Whole machine, for the share other processes took. */
  readonly machine: { readonly busy: number; readonly total: number };
}

function isLiveEncoder(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(LIVE_MARKER);
  } catch {
    return false;
  }
}

export function partsCpu(servicePid: number, simulatorPid?: number): PartsCpu {
  let service = readProc(servicePid)?.cpuSeconds ?? 0;
  let ingestFfmpeg = 0;
  let liveFfmpeg = 0;
  let liveEncoders = 0;
  for (const p of descendantsOf(servicePid)) {
    if (isLiveEncoder(p.pid)) {
      liveFfmpeg += p.cpuSeconds;
      liveEncoders += 1;
    } else if (p.command === 'ffmpeg') ingestFfmpeg += p.cpuSeconds;
    else service += p.cpuSeconds;
  }
  const simulator =
    simulatorPid === undefined
      ? 0
      : (readProc(simulatorPid)?.cpuSeconds ?? 0) +
        descendantsOf(simulatorPid).reduce((s, p) => s + p.cpuSeconds, 0);
  return {
    atMs: performance.now(),
    service,
    ingestFfmpeg,
    liveFfmpeg,
    simulator,
    liveEncoders,
    machine: machineJiffies(),
  };
}

/** Cores used per part between two snapshots (1 = one core busy), and the machine's busy share. */
export function coresBetween(a: PartsCpu, b: PartsCpu) {
  const s = (b.atMs - a.atMs) / 1000;
  const r = (x: number) => Number((x / s).toFixed(4));
  return {
    seconds: Number(s.toFixed(2)),
    service: r(b.service - a.service),
    ingestFfmpeg: r(b.ingestFfmpeg - a.ingestFfmpeg),
    liveFfmpeg: r(b.liveFfmpeg - a.liveFfmpeg),
    simulator: r(b.simulator - a.simulator),
    machineBusyShare: Number(
      ((b.machine.busy - a.machine.busy) / Math.max(1, b.machine.total - a.machine.total)).toFixed(3),
    ),
  };
}
export type Cores = ReturnType<typeof coresBetween>;

export interface LiveViewer {
  readonly camera: string;
  fragments: number;
  bytes: number;
  firstFragmentMs: number | undefined;
  readonly fragmentArrivalsMs: number[];
  close(): void;
}

/** One WebSocket viewer of GET /v1/live/<camera>, counting fragments and bytes. */
export function watchLive(serviceUrl: string, camera: string): LiveViewer {
  const openedMs = performance.now();
  const ws = new WebSocket(`${serviceUrl.replace(/^http/, 'ws')}/v1/live/${camera}`, {
    perMessageDeflate: false,
  });
  const viewer: LiveViewer = {
    camera,
    fragments: 0,
    bytes: 0,
    firstFragmentMs: undefined,
    fragmentArrivalsMs: [],
    close: () => ws.close(),
  };
  ws.on('message', (data: Buffer, isBinary) => {
    if (!isBinary) return;
    viewer.bytes += data.length;
    if (data.toString('latin1', 4, 8) !== 'moof') return;
    const t = performance.now();
    viewer.fragments += 1;
    viewer.firstFragmentMs ??= t - openedMs;
    viewer.fragmentArrivalsMs.push(t);
  });
  ws.on('error', () => undefined);
  return viewer;
}

/** The machine, for every report. */
export function machine() {
  return { cpus: cpus().length, model: cpus()[0]?.model ?? '?', node: process.version, loadavg: loadavg() };
}

export function writeReport(out: string, report: Record<string, unknown>): void {
  const path = resolve(repoRoot, out);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`wrote ${path}`);
}
