// Does watching cameras change recognition? One real `tsn serve` recognises --cameras simulated RTSP
// cameras replaying real footage at camera bitrate (360p ~0.8 Mbit/s); in the same run, phases with nobody
// watching alternate with phases where every camera is watched through /v1/live (one viewer each), --rounds
// times, so drift (thermal, other load) falls on both sides alike. Per phase: predictions/s (from the
// events WebSocket), latency p50/p99 at the client (prediction received - the window's last frame) and the
// service's own p99 bucket (tsn_latency_seconds), CPU per part. Writes bench/results/live-view-impact.json.
//
//   npm run bench:live-impact [-- --quick] [--cameras 4] [--seconds 30] [--rounds 3] [--warmup 10] [--settle 8]
//                             [--resolution 360p] [--depth 18] [--threads 1]
//                             [--out bench/results/live-view-impact.json]
// --quick: 1 round of 6 s phases (checks the bench works; not figures).
import WebSocket from 'ws';
import { locateFfmpeg } from '../src/config/ffmpeg-path.js';
import type { ResNetDepth } from '../src/model/types.js';
import {
  benchFootage,
  benchModelDir,
  cacheDir,
  coresBetween,
  machine,
  partsCpu,
  repoRoot,
  sleep,
  until,
  watchLive,
  writeReport,
  type Cores,
} from './live/common.js';
import { percentile, round } from './lib/percentiles.js';
import { startSimulatorProcess } from './pipeline/simulator.js';
import type { FootageResolution } from './serve/footage.js';
import { bucketPercentileMs, scrapeLatency } from './serve/latency-histogram.js';
import { startService } from './serve/service.js';
import { parseBenchArgs } from './lib/bench-args.js';

const USAGE = `npm run bench:live-impact -- [options]
  --quick              1 round of 6 s phases: proves the bench works, not figures
  --cameras N          simulated RTSP cameras (default 4)
  --seconds S          seconds per phase (default 30)
  --rounds N           unwatched/watched phase pairs (default 3)
  --warmup S           seconds after start before the first phase (default 10)
  --settle S           seconds after viewers join or leave, before a phase (default 8)
  --resolution 360p|1080p  the footage (default 360p)
  --depth 18|34|50     the service's backbone (default 18)
  --threads N          onnxruntime threads (default 1)
  --out FILE           results JSON (default bench/results/live-view-impact.json)`;

const values = parseBenchArgs('bench:live-impact', USAGE, {
  quick: { type: 'boolean', default: false },
  cameras: { type: 'string', default: '4' },
  seconds: { type: 'string' },
  rounds: { type: 'string' },
  warmup: { type: 'string' },
  settle: { type: 'string' },
  resolution: { type: 'string', default: '360p' },
  depth: { type: 'string', default: '18' },
  threads: { type: 'string', default: '1' },
  out: { type: 'string', default: 'bench/results/live-view-impact.json' },
});
const quick = values.quick;
const flags = {
  quick,
  cameras: Number(values.cameras),
  seconds: Number(values.seconds ?? (quick ? 6 : 30)),
  rounds: Number(values.rounds ?? (quick ? 1 : 3)),
  warmupSeconds: Number(values.warmup ?? (quick ? 3 : 10)),
  // After viewers join or leave, before a phase: starting 4 encoders (RTSP set-up, probe) is a burst that
  // steady viewing does not have; a backlog it leaves would land in the next phase.
  settleSeconds: Number(values.settle ?? (quick ? 2 : 8)),
  resolution: (values.resolution === '1080p' ? '1080p' : '360p') as FootageResolution,
  depth: Number(values.depth) as ResNetDepth,
  threads: Number(values.threads),
};

interface Prediction {
  readonly camera: string;
  readonly receivedMs: number;
  readonly latencyMs: number;
}

/** Prediction events from the service's WebSocket: receive time and lag behind the window's last frame. */
async function subscribe(url: string, into: Prediction[]): Promise<WebSocket> {
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/v1/events?types=prediction`);
  ws.on('message', (data) => {
    const e = JSON.parse(String(data)) as { type?: string; camera?: string; window?: { endWallMs?: number } };
    if (e.type !== 'prediction' || e.window?.endWallMs === undefined) return;
    const now = Date.now();
    into.push({ camera: e.camera ?? '?', receivedMs: now, latencyMs: now - e.window.endWallMs });
  });
  await new Promise((done, fail) => {
    ws.once('open', done);
    ws.once('error', fail);
  });
  return ws;
}

interface Phase {
  readonly watched: number;
  readonly predictionsPerS: number;
  readonly latencyMs: { readonly p50: number; readonly p99: number };
  readonly serviceP99AtMostMs: number | null;
  readonly cores: Cores;
  readonly samples: readonly number[];
}

function summary(phases: readonly Phase[]) {
  const samples = phases.flatMap((p) => p.samples);
  const seconds = phases.reduce((s, p) => s + p.cores.seconds, 0);
  const predictions = phases.reduce((s, p) => s + p.predictionsPerS * p.cores.seconds, 0);
  return {
    predictionsPerS: round(predictions / seconds, 3),
    latencyMs: { p50: round(percentile(samples, 50), 0), p99: round(percentile(samples, 99), 0) },
    predictions: samples.length,
  };
}

const ffmpeg = locateFfmpeg()?.path;
if (ffmpeg === undefined) throw new Error('no ffmpeg: apt-get install ffmpeg or set FFMPEG_PATH');
const footage = benchFootage(ffmpeg, flags.resolution);
const names = Array.from({ length: flags.cameras }, (_, i) => `cam${i + 1}`);
const simulator = await startSimulatorProcess(
  ffmpeg,
  names.map((name) => ({ name, file: footage })),
);
const service = await startService({
  repoRoot,
  workDir: cacheDir,
  modelDir: await benchModelDir(flags.depth),
  cameras: names.map((id) => ({ id, url: simulator.url(id) })),
  threads: flags.threads,
  configName: 'bench-live-impact.json',
}).catch(async (error: unknown) => {
  await simulator.close();
  throw error;
});
const predictions: Prediction[] = [];
let events: WebSocket | undefined;
const phases: Phase[] = [];
try {
  events = await subscribe(service.url, predictions);
  await until(
    'every camera predicting',
    () => new Set(predictions.map((p) => p.camera)).size === names.length,
    180_000,
  );
  await sleep(flags.warmupSeconds * 1000);

  const phase = async (watched: number): Promise<Phase> => {
    const histogramBefore = await scrapeLatency(service.url);
    const a = partsCpu(service.pid, simulator.pid);
    const fromMs = Date.now();
    await sleep(flags.seconds * 1000);
    const b = partsCpu(service.pid, simulator.pid);
    const toMs = Date.now();
    const histogramAfter = await scrapeLatency(service.url);
    const samples = predictions
      .filter((p) => p.receivedMs >= fromMs && p.receivedMs < toMs)
      .map((p) => p.latencyMs);
    const cores = coresBetween(a, b);
    const result: Phase = {
      watched,
      predictionsPerS: round(samples.length / ((toMs - fromMs) / 1000), 3),
      latencyMs: { p50: round(percentile(samples, 50), 0), p99: round(percentile(samples, 99), 0) },
      serviceP99AtMostMs: bucketPercentileMs(histogramBefore, histogramAfter, 99),
      cores,
      samples,
    };
    console.log(
      `  ${watched === 0 ? 'unwatched' : `${watched} watched`}: ${result.predictionsPerS} predictions/s, ` +
        `latency p50 ${result.latencyMs.p50} ms p99 ${result.latencyMs.p99} ms; cores: service ` +
        `${cores.service}, ingest ${cores.ingestFfmpeg}, live ${cores.liveFfmpeg}, simulator ` +
        `${cores.simulator}; machine busy ${Math.round(cores.machineBusyShare * 100)} %`,
    );
    return result;
  };

  for (let r = 1; r <= flags.rounds; r++) {
    console.log(`round ${r}/${flags.rounds}: ${flags.seconds} s unwatched, then ${names.length} watched`);
    phases.push(await phase(0));
    const viewers = names.map((n) => watchLive(service.url, n));
    await until(
      'every camera watched (2 fragments each)',
      () => viewers.every((v) => v.fragments >= 2),
      60_000,
    );
    await sleep(flags.settleSeconds * 1000);
    phases.push(await phase(names.length));
    for (const v of viewers) v.close();
    await until('live encoders stopped', () => partsCpu(service.pid).liveEncoders === 0, 30_000);
    await sleep(flags.settleSeconds * 1000);
  }
} finally {
  events?.close();
  await service.close();
  await simulator.close();
}

const unwatched = summary(phases.filter((p) => p.watched === 0));
const watched = summary(phases.filter((p) => p.watched > 0));
const comparison = {
  rateChangePercent: round((watched.predictionsPerS / unwatched.predictionsPerS - 1) * 100, 2),
  p99ChangeMs: watched.latencyMs.p99 - unwatched.latencyMs.p99,
  p50ChangeMs: watched.latencyMs.p50 - unwatched.latencyMs.p50,
};
console.log(
  `unwatched: ${unwatched.predictionsPerS} predictions/s, p99 ${unwatched.latencyMs.p99} ms; ` +
    `${names.length} watched: ${watched.predictionsPerS} predictions/s, p99 ${watched.latencyMs.p99} ms ` +
    `(rate ${comparison.rateChangePercent} %, p99 ${comparison.p99ChangeMs} ms)`,
);
writeReport(values.out, {
  benchmark: 'live-view-impact',
  date: new Date().toISOString(),
  machine: machine(),
  flags,
  model: `random-weights ResNet-${flags.depth} TSN, 8 segments over 8 s, 1 prediction/s per camera`,
  footage: `test/fixtures/reference/example.avi re-encoded to ${flags.resolution} at camera bitrate`,
  note:
    'latencyMs: prediction received on the events WebSocket - the window last frame (endWallMs), exact ' +
    'percentiles over every prediction of the phases; serviceP99AtMostMs: bucket bound of tsn_latency_seconds',
  unwatched,
  watched,
  comparison,
  phases: phases.map(({ samples: _samples, ...rest }) => rest),
});
