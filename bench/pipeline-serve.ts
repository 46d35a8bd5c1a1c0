// The real `tsn serve` process under load: N simulated RTSP cameras replaying real footage at real
// bitrates (bench/serve/footage.ts), float32 and int8 models (same random ResNet-50 weights; int8
// calibrated on the footage by tsn quantize's code), one prediction per second per camera, predictions
// read from the WebSocket. Reports per camera predictions/s, latency from the window's last frame
// (endWallMs, stamped at arrival by the service) to the prediction reaching the client (p50, p99), CPU
// per part (service node, its ffmpeg decoders, the simulator) and memory. Writes
// bench/results/pipeline-serve.json.
// npm run bench:pipeline [-- --cameras 2 --seconds 20 --resolution 360p --precisions fp32,int8]
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { locateFfmpeg } from '../src/config/ffmpeg-path.js';
import { quantizeModel } from '../src/inference/quantize/quantize-model.js';
import { loadModel, outputState, writeModelDir } from '../src/model/model-dir.js';
import type { ModelPrecision } from '../src/model/types.js';
import { percentile, round } from './lib/percentiles.js';
import { descendantsOf, readProc, rssBytesOf } from './lib/proc-stats.js';
import { randomTsnModel } from './pipeline/random-model.js';
import { startSimulatorProcess } from './pipeline/simulator.js';
import { ensureFootage, type FootageResolution } from './serve/footage.js';
import { bucketPercentileMs, scrapeLatency } from './serve/latency-histogram.js';
import { runPytorchPeer } from './serve/pytorch-peer.js';
import { startService } from './serve/service.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cacheDir = join(repoRoot, '.cache', 'bench-serve');

interface Flags {
  cameras: number;
  seconds: number;
  warmupSeconds: number;
  resolution: FootageResolution;
  precisions: ModelPrecision[];
  threads: number;
  pytorch: boolean;
}

function flags(): Flags {
  const { values } = parseArgs({
    options: {
      cameras: { type: 'string', default: '2' },
      seconds: { type: 'string', default: '20' },
      warmup: { type: 'string', default: '10' },
      resolution: { type: 'string', default: '360p' },
      precisions: { type: 'string', default: 'fp32,int8' },
      pytorch: { type: 'boolean', default: true },
      'no-pytorch': { type: 'boolean', default: false },
      threads: { type: 'string', default: '2' },
    },
  });
  return {
    cameras: Number(values.cameras),
    seconds: Number(values.seconds),
    warmupSeconds: Number(values.warmup),
    resolution: values.resolution === '1080p' ? '1080p' : '360p',
    precisions: values.precisions.split(',').filter((p): p is ModelPrecision => p === 'fp32' || p === 'int8'),
    threads: Number(values.threads),
    pytorch: values.pytorch && !values['no-pytorch'],
  };
}

/** A random-weight ResNet-50 (400 classes) as a model directory, and its int8 twin, cached. */
async function modelDirs(ffmpeg: string, footage: string): Promise<Record<ModelPrecision, string>> {
  const fp32 = join(cacheDir, 'r50-fp32');
  const int8 = join(cacheDir, 'r50-int8');
  if ((await outputState(fp32)) !== 'model') {
    const m = randomTsnModel(50, 400, 8);
    await writeModelDir(fp32, { manifest: m.manifest, weights: m.weights, labels: m.labels });
  }
  if ((await outputState(int8)) !== 'model') {
    const model = await loadModel(fp32);
    await quantizeModel({
      model,
      videos: [footage],
      outDir: int8,
      method: 'minmax',
      ffmpegPath: ffmpeg,
      threads: 0,
    });
  }
  return { fp32, int8 };
}

interface CpuSnapshot {
  readonly atMs: number;
  readonly service: number;
  readonly decoders: number;
  readonly simulator: number;
}

function cpuSnapshot(servicePid: number, simulatorPid: number): CpuSnapshot {
  const tree = (pid: number): number => descendantsOf(pid).reduce((s, p) => s + p.cpuSeconds, 0);
  return {
    atMs: performance.now(),
    service: readProc(servicePid)?.cpuSeconds ?? 0,
    decoders: tree(servicePid),
    simulator: (readProc(simulatorPid)?.cpuSeconds ?? 0) + tree(simulatorPid),
  };
}

interface Prediction {
  readonly camera: string;
  readonly latencyMs: number;
  readonly receivedMs: number;
}

/** Collects prediction events from the service's WebSocket. */
function subscribe(url: string, into: Prediction[]): Promise<WebSocket> {
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/v1/events?types=prediction`);
  ws.on('message', (data) => {
    const event = JSON.parse(String(data)) as {
      type?: string;
      camera?: string;
      window?: { endWallMs?: number };
    };
    if (event.type !== 'prediction' || event.window?.endWallMs === undefined) return;
    const now = Date.now();
    into.push({ camera: event.camera ?? '?', latencyMs: now - event.window.endWallMs, receivedMs: now });
  });
  return new Promise((done, fail) => {
    ws.once('open', () => done(ws));
    ws.once('error', fail);
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function runStep(
  precision: ModelPrecision,
  modelDir: string,
  footage: string,
  f: Flags,
  ffmpeg: string,
) {
  const names = Array.from({ length: f.cameras }, (_, i) => `cam-${i + 1}`);
  const simulator = await startSimulatorProcess(
    ffmpeg,
    names.map((name) => ({ name, file: footage })),
  );
  const service = await startService({
    repoRoot,
    workDir: cacheDir,
    modelDir,
    cameras: names.map((id) => ({ id, url: simulator.url(id) })),
    threads: f.threads,
  }).catch(async (error: unknown) => {
    await simulator.close();
    throw error;
  });
  const predictions: Prediction[] = [];
  let ws: WebSocket | undefined;
  try {
    ws = await subscribe(service.url, predictions);
    const deadline = Date.now() + 120_000;
    while (new Set(predictions.map((p) => p.camera)).size < f.cameras && Date.now() < deadline)
      await sleep(500);
    await sleep(f.warmupSeconds * 1000);
    const histogramBefore = await scrapeLatency(service.url);
    const before = cpuSnapshot(service.pid, simulator.pid);
    const fromMs = Date.now();
    await sleep(f.seconds * 1000);
    const after = cpuSnapshot(service.pid, simulator.pid);
    const histogramAfter = await scrapeLatency(service.url);
    const rss = {
      serviceMb: round(rssBytesOf(service.pid) / 2 ** 20, 0),
      decodersMb: round(descendantsOf(service.pid).reduce((s, p) => s + rssBytesOf(p.pid), 0) / 2 ** 20, 0),
    };
    const measured = predictions.filter((p) => p.receivedMs >= fromMs);
    const wall = (after.atMs - before.atMs) / 1000;
    const lags = measured.map((p) => p.latencyMs);
    const perCamera = names.map((name) => round(measured.filter((p) => p.camera === name).length / wall, 2));
    return {
      precision,
      cameras: f.cameras,
      resolution: f.resolution,
      seconds: round(wall, 1),
      predictionsPerSecond: round(measured.length / wall, 2),
      perCameraPerSecond: perCamera,
      // The service's own: the window's last frame (arrival) -> prediction, bucket upper bounds.
      latencyMs: {
        p50AtMost: bucketPercentileMs(histogramBefore, histogramAfter, 50),
        p99AtMost: bucketPercentileMs(histogramBefore, histogramAfter, 99),
      },
      // At the WebSocket client: receive time - the window's nominal wall-clock end (endWallMs); can be
      // < 0, the last segment's frame is picked before the segment ends.
      clientLagMs: { p50: round(percentile(lags, 50), 0), p99: round(percentile(lags, 99), 0) },
      cpuCores: {
        service: round((after.service - before.service) / wall, 2),
        decoders: round((after.decoders - before.decoders) / wall, 2),
        simulator: round((after.simulator - before.simulator) / wall, 2),
      },
      rss,
    };
  } finally {
    ws?.close();
    await service.close();
    await simulator.close();
  }
}

/** The PyTorch + OpenCV recompute peer on the same cameras, right after the service's steps. */
async function pytorchStep(footage: string, f: Flags, ffmpeg: string) {
  const names = Array.from({ length: f.cameras }, (_, i) => `cam-${i + 1}`);
  console.log(`pytorch recompute peer: ${f.cameras} cameras at ${f.resolution}, ${f.seconds} s ...`);
  const simulator = await startSimulatorProcess(
    ffmpeg,
    names.map((name) => ({ name, file: footage })),
  );
  try {
    const result = await runPytorchPeer(
      repoRoot,
      names.map((n) => simulator.url(n)),
      f,
    );
    if (result) console.log(JSON.stringify(result));
    return result;
  } finally {
    await simulator.close();
  }
}

async function main(): Promise<void> {
  const f = flags();
  const ffmpeg = locateFfmpeg()?.path;
  if (ffmpeg === undefined) throw new Error('no ffmpeg: apt-get install ffmpeg or set FFMPEG_PATH');
  const source = join(repoRoot, 'test', 'fixtures', 'reference', 'example.avi');
  const footage = ensureFootage(ffmpeg, source, cacheDir, f.resolution);
  const dirs = await modelDirs(ffmpeg, footage);
  const loadBefore = loadavg();
  const rows = [];
  for (const precision of f.precisions) {
    console.log(`${precision}: ${f.cameras} cameras at ${f.resolution}, ${f.seconds} s ...`);
    const row = await runStep(precision, dirs[precision], footage, f, ffmpeg);
    console.log(JSON.stringify(row));
    rows.push(row);
  }
  const pytorch = f.pytorch ? await pytorchStep(footage, f, ffmpeg) : undefined;
  const out = join(repoRoot, 'bench', 'results', 'pipeline-serve.json');
  mkdirSync(dirname(out), { recursive: true });
  const report = {
    benchmark: 'pipeline-serve',
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, model: cpus()[0]?.model ?? '?', loadBefore, loadAfter: loadavg() },
    flags: f,
    footage: { source: 'test/fixtures/reference/example.avi', file: footage },
    rows,
    pytorchRecompute: pytorch ?? null,
  };
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`wrote ${out}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
