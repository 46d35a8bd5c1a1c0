// Live-view benchmark: what watching cameras costs. For each resolution (360p, 1080p) and each mode (copy:
// the camera's H.264 passed through; transcode: what any re-encode, MPEG-1/JSMpeg included, would cost at
// least), it watches --cameras simulated RTSP cameras with --viewers WebSocket viewers each and measures the
// CPU of the live encoders + this process's fan-out, bytes sent, and the fragment interval that bounds
// the glass-to-glass delay. The simulator runs in its own process, so its encoders are not counted.
// Writes bench/results/live-view.json.
//
//   node dist/bench/live-view.js [--cameras 1] [--viewers 2] [--seconds 10] [--resolutions 360p,1080p]
//                                [--modes copy,transcode] [--out bench/results/live-view.json]
//                                [--impact-cameras 4] [--impact-seconds 30]
// The impact part runs a real `tsn serve` (needs `npm run build`) with --impact-cameras simulated cameras
// and compares its prediction rate and latency p99 unwatched vs all watched.
import { createServer, type Server } from 'node:http';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { WebSocket } from 'ws';
import { createLiveHub, type LiveMode } from '../src/live/index.js';
import { resolveIngestTarget } from '../src/sources/registry.js';
import { measureImpact } from './live-view-impact.js';
import { mean, percentile, round } from './lib/percentiles.js';
import { readProc } from './lib/proc-stats.js';
import { ensureClip, type Resolution } from './pipeline/clips.js';
import { startSimulatorProcess } from './pipeline/simulator.js';

const { values: flags } = parseArgs({
  options: {
    cameras: { type: 'string', default: '1' },
    viewers: { type: 'string', default: '2' },
    seconds: { type: 'string', default: '10' },
    resolutions: { type: 'string', default: '360p,1080p' },
    modes: { type: 'string', default: 'copy,transcode' },
    out: { type: 'string', default: 'bench/results/live-view.json' },
    ffmpeg: { type: 'string', default: 'ffmpeg' },
    // The recognition pipeline with and without every camera watched (0 = skip this part).
    'impact-cameras': { type: 'string', default: '4' },
    'impact-seconds': { type: 'string', default: '30' },
  },
});
const cameras = Number(flags.cameras);
const viewersPerCamera = Number(flags.viewers);
const seconds = Number(flags.seconds);
const ffmpegPath = flags.ffmpeg;
// Player policy (web/dashboard/live-player.ts): it plays ~0.2 s behind the newest buffered frame.
const PLAYER_BEHIND_MS = 200;

interface Viewer {
  readonly connectedAtMs: number;
  firstFragmentMs?: number;
  fragments: number;
  bytes: number;
  readonly arrivalsMs: number[];
  readonly ws: WebSocket;
}

const nowMs = () => performance.now();

function liveEncoderPids(): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (readProc(Number(entry))?.parentPid === process.pid && cmd.includes('frag_keyframe'))
        out.push(Number(entry));
    } catch {
      // gone
    }
  }
  return out;
}

function cpuSecondsOf(pids: readonly number[]): number {
  const self = process.cpuUsage();
  const own = (self.user + self.system) / 1e6;
  return own + pids.reduce((sum, pid) => sum + (readProc(pid)?.cpuSeconds ?? 0), 0);
}

function watch(url: string): Viewer {
  const ws = new WebSocket(url, { perMessageDeflate: false });
  const viewer: Viewer = { connectedAtMs: nowMs(), fragments: 0, bytes: 0, arrivalsMs: [], ws };
  ws.on('message', (data: Buffer, isBinary) => {
    if (!isBinary) return;
    const t = nowMs();
    viewer.bytes += data.length;
    if (data.toString('latin1', 4, 8) !== 'moof') return;
    viewer.fragments += 1;
    viewer.firstFragmentMs ??= t - viewer.connectedAtMs;
    viewer.arrivalsMs.push(t);
  });
  ws.on('error', () => undefined);
  return viewer;
}

async function until(what: string, done: () => boolean, timeoutMs: number): Promise<void> {
  const end = nowMs() + timeoutMs;
  while (!done()) {
    if (nowMs() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function runOne(resolution: Resolution, mode: LiveMode) {
  const clip = await ensureClip(resolution, ffmpegPath, join(tmpdir(), 'tsn-bench-clips'));
  const feeds = Array.from({ length: cameras }, (_, i) => ({ name: `cam${i}`, file: clip }));
  const simulator = await startSimulatorProcess(ffmpegPath, feeds);
  const server: Server = createServer((_q, res) => res.writeHead(404).end());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/v1/live/`;
  const hub = createLiveHub({
    server,
    ffmpegPath,
    inputOf: (id) => ({ state: 'ready', source: resolveIngestTarget(simulator.url(id), undefined) }),
    cameraExists: () => true,
    mode,
  });
  try {
    const viewers = feeds.flatMap((f) =>
      Array.from({ length: viewersPerCamera }, () => watch(base + f.name)),
    );
    await until(
      'every viewer has 2 fragments (warm-up)',
      () => viewers.every((v) => v.fragments >= 2),
      60_000,
    );
    const pids = liveEncoderPids();
    const before = { cpu: cpuSecondsOf(pids), bytes: viewers.map((v) => v.bytes), atMs: nowMs() };
    const firstArrival = viewers.map((v) => v.arrivalsMs.length);
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const elapsedS = (nowMs() - before.atMs) / 1000;
    const cpuS = cpuSecondsOf(pids) - before.cpu;
    const intervals = viewers
      .flatMap((v, i) =>
        v.arrivalsMs.slice(firstArrival[i]).map((t, k, all) => (k === 0 ? NaN : t - (all[k - 1] ?? t))),
      )
      .filter((x) => Number.isFinite(x));
    const bytesPerViewerPerS = viewers.map((v, i) => (v.bytes - (before.bytes[i] ?? 0)) / elapsedS);
    const fragmentMs = intervals.length > 0 ? mean(intervals) : NaN;
    for (const v of viewers) v.ws.close();
    return {
      resolution,
      mode,
      cameras,
      viewersPerCamera,
      encoders: pids.length,
      cpuPercentPerCamera: round((cpuS / elapsedS / cameras) * 100, 1),
      kbitPerViewer: round((mean(bytesPerViewerPerS) * 8) / 1000, 0),
      firstFragmentMs: round(mean(viewers.map((v) => v.firstFragmentMs ?? NaN)), 0),
      fragmentIntervalMs: {
        mean: round(fragmentMs, 0),
        p99: round(intervals.length > 0 ? percentile(intervals, 99) : NaN, 0),
      },
      // A frame waits in ffmpeg until its fragment closes (the next keyframe): on average half a fragment,
      // at worst a whole one; then the player shows it ~0.2 s behind the newest buffered frame.
      glassToGlassEstimateMs: {
        mean: round(fragmentMs / 2 + PLAYER_BEHIND_MS, 0),
        worst: round(fragmentMs + PLAYER_BEHIND_MS, 0),
      },
    };
  } finally {
    await hub.close();
    await new Promise((r) => server.close(r));
    await simulator.close();
  }
}

const results = [];
for (const resolution of flags.resolutions.split(',') as Resolution[]) {
  for (const mode of flags.modes.split(',') as LiveMode[]) {
    console.error(
      `live view: ${resolution} ${mode}, ${cameras} camera(s) x ${viewersPerCamera} viewer(s), ${seconds} s`,
    );
    const result = await runOne(resolution, mode);
    console.error(JSON.stringify(result));
    results.push(result);
  }
}
const impactCameras = Number(flags['impact-cameras']);
let impact: unknown = null;
if (impactCameras > 0) {
  console.error(
    `pipeline impact: ${impactCameras} cameras, ${flags['impact-seconds']} s unwatched, then watched`,
  );
  const workDir = mkdtempSync(join(tmpdir(), 'tsn-bench-live-'));
  try {
    const phases = await measureImpact({
      cameras: impactCameras,
      seconds: Number(flags['impact-seconds']),
      clip: await ensureClip('360p', ffmpegPath, join(tmpdir(), 'tsn-bench-clips')),
      workDir,
    });
    impact = { model: 'random-weights ResNet-18 TSN, 8 segments, 4 s windows', phases };
    console.error(JSON.stringify(impact));
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}
const report = {
  benchmark: 'live-view',
  date: new Date().toISOString(),
  node: process.version,
  cpus: cpus().length,
  cpuModel: cpus()[0]?.model ?? 'unknown',
  note: 'cpuPercentPerCamera: live encoder(s) + this process (fan-out), 100 = one core; the camera simulator is not counted',
  results,
  // Recognition with nobody watching vs every camera watched: prediction rate and latency p99 should match.
  pipelineImpact: impact,
};
mkdirSync(dirname(flags.out), { recursive: true });
writeFileSync(flags.out, `${JSON.stringify(report, null, 2)}\n`);
console.log(JSON.stringify(report, null, 2));
