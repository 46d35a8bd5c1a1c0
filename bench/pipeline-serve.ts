// The real `tsn serve` process under load: N simulated RTSP cameras replaying real footage at real
// bitrates (bench/serve/footage.ts), float32 and int8 models (same random ResNet-50 weights; int8
// calibrated on the footage by tsn quantize's code), one prediction per second per camera, predictions
// read from the WebSocket. Reports per camera predictions/s, latency from the window's last frame
// (endWallMs, stamped at arrival by the service) to the prediction reaching the client (p50, p99), CPU
// per part (service node, its ffmpeg decoders, the simulator), memory and drops (the service's counters).
// Writes bench/results/pipeline-serve[-PRESET].json and re-renders bench/results/pipeline-serve.svg from
// every such file.
// npm run bench:pipeline -- --preset int8-360p-36 | int8-1080p-12 | int8-1080p-12-main | sweep-360p | quick
// npm run bench:pipeline -- --cameras 12,24 --seconds 20 --resolution 1080p --substream --precisions int8
// npm run bench:pipeline -- --help
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { bundledFfmpeg, locateFfmpeg } from '../src/config/ffmpeg-path.js';
import { quantizeModel } from '../src/inference/quantize/quantize-model.js';
import { loadModel, outputState, writeModelDir } from '../src/model/model-dir.js';
import type { ModelPrecision } from '../src/model/types.js';
import { ffmpegVersionLine } from './lib/ffmpeg-version.js';
import { percentile, round } from './lib/percentiles.js';
import { descendantsOf, readProc, rssBytesOf } from './lib/proc-stats.js';
import { randomTsnModel } from './pipeline/random-model.js';
import { startSimulatorProcess, type Feed } from './pipeline/simulator.js';
import { staggeredDelayMs } from '../simulators/rtsp-camera/cli-options.js';
import { ensureFootage, footageKeyframeIntervalMs } from './serve/footage.js';
import { DROP_COUNTERS, counterDeltas, parseCounterTotals, scrapeMetricsText } from './serve/drops.js';
import { USAGE, parseBenchFlags, type BenchFlags } from './serve/flags.js';
import { bucketPercentileMs, parseLatencyBuckets } from './serve/latency-histogram.js';
import { writePlot } from './serve/plot.js';
import { runPytorchPeer } from './serve/pytorch-peer.js';
import { startService } from './serve/service.js';
import { flagsOrExit } from './lib/bench-args.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cacheDir = join(repoRoot, '.cache', 'bench-serve');

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

function jsonBound(ms: number | null): number | string | null {
  return ms === Infinity ? '>10000' : ms;
}

function requireBundledFfmpeg(): string {
  const bundled = bundledFfmpeg();
  if (bundled === undefined) throw new Error('--ffmpeg bundled: @ffmpeg-installer/ffmpeg has no binary here');
  return bundled.path;
}

/** The footage files: the main streams', and the 360p substreams' when recognition reads substreams. */
interface Footage {
  readonly main: string;
  readonly substream: string | undefined;
}

/**
 * Every camera's main stream, and its substream (NAME-sub) when there is one, from one simulator; a
 * camera's two streams share its delay.
 */
function simulatorFeeds(names: readonly string[], footage: Footage, staggerMs: number): Feed[] {
  return names.flatMap((name) => {
    const delayMs = staggeredDelayMs(name, staggerMs);
    return [
      { name, file: footage.main, delayMs },
      ...(footage.substream === undefined ? [] : [{ name: `${name}-sub`, file: footage.substream, delayMs }]),
    ];
  });
}

async function runStep(
  precision: ModelPrecision,
  modelDir: string,
  footage: Footage,
  cameras: number,
  f: BenchFlags,
  ffmpeg: string,
  serviceFfmpeg: string | undefined,
) {
  const names = Array.from({ length: cameras }, (_, i) => `cam-${i + 1}`);
  const simulator = await startSimulatorProcess(ffmpeg, simulatorFeeds(names, footage, f.staggerMs));
  const service = await startService({
    repoRoot,
    workDir: cacheDir,
    modelDir,
    cameras: names.map((id) => ({
      id,
      url: simulator.url(id),
      ...(footage.substream === undefined ? {} : { substreamUrl: simulator.url(`${id}-sub`) }),
    })),
    threads: f.threads,
    workers: f.workers,
    sampleFps: f.sampleFps,
    defaults: { decode: f.decode },
    batching: {
      ...(f.maxBatch === undefined ? {} : { maxBatch: f.maxBatch }),
      ...(f.maxWaitMs === undefined ? {} : { maxWaitMs: f.maxWaitMs }),
    },
    ...(serviceFfmpeg === undefined ? {} : { ffmpegPath: serviceFfmpeg }),
  }).catch(async (error: unknown) => {
    await simulator.close();
    throw error;
  });
  const predictions: Prediction[] = [];
  let ws: WebSocket | undefined;
  try {
    ws = await subscribe(service.url, predictions);
    const deadline = Date.now() + 120_000;
    while (new Set(predictions.map((p) => p.camera)).size < cameras && Date.now() < deadline)
      await sleep(500);
    await sleep(f.warmupSeconds * 1000);
    const metricsBefore = await scrapeMetricsText(service.url);
    const before = cpuSnapshot(service.pid, simulator.pid);
    const fromMs = Date.now();
    await sleep(f.seconds * 1000);
    const after = cpuSnapshot(service.pid, simulator.pid);
    const metricsAfter = await scrapeMetricsText(service.url);
    const [histogramBefore, histogramAfter] = [metricsBefore, metricsAfter].map(parseLatencyBuckets);
    const drops = counterDeltas(
      parseCounterTotals(metricsBefore, DROP_COUNTERS),
      parseCounterTotals(metricsAfter, DROP_COUNTERS),
    );
    const rss = {
      serviceMb: round(rssBytesOf(service.pid) / 2 ** 20, 0),
      decodersMb: round(descendantsOf(service.pid).reduce((s, p) => s + rssBytesOf(p.pid), 0) / 2 ** 20, 0),
    };
    const measured = predictions.filter((p) => p.receivedMs >= fromMs);
    const wall = (after.atMs - before.atMs) / 1000;
    const lags = measured.map((p) => p.latencyMs);
    const perCamera = names.map((name) => round(measured.filter((p) => p.camera === name).length / wall, 2));
    const p99AtMost = bucketPercentileMs(histogramBefore ?? new Map(), histogramAfter ?? new Map(), 99);
    const dropped = Object.values(drops).reduce((a, b) => a + b, 0);
    // With keyframes only, ffmpeg's fps filter hands a picture over when the next keyframe arrives:
    // invisible to the service's clock (it stamps arrival), so the verdict adds it.
    const keyframeHoldMs = f.decode === 'keyframes' ? footageKeyframeIntervalMs : 0;
    return {
      precision,
      cameras,
      resolution: f.resolution,
      ingest: f.ingest,
      decodes: footage.substream === undefined ? f.resolution : '360p substream',
      decode: f.decode,
      staggerMs: f.staggerMs,
      keyframeHoldMs,
      // The issue's bar: every camera at >= 0.95 predictions/s, p99 (bucket bound) <= 1 s, nothing dropped.
      keptUp:
        perCamera.every((r) => r >= 0.95) &&
        p99AtMost !== null &&
        p99AtMost + keyframeHoldMs <= 1000 &&
        dropped === 0,
      seconds: round(wall, 1),
      predictionsPerSecond: round(measured.length / wall, 2),
      perCameraPerSecond: perCamera,
      // The service's own: the window's last frame (arrival) -> prediction, bucket upper bounds.
      // JSON has no Infinity: a percentile above the largest bucket (10 s) is written as '>10000'.
      latencyMs: {
        p50AtMost: jsonBound(
          bucketPercentileMs(histogramBefore ?? new Map(), histogramAfter ?? new Map(), 50),
        ),
        p99AtMost: jsonBound(p99AtMost),
      },
      drops,
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
async function pytorchStep(footage: Footage, f: BenchFlags, ffmpeg: string) {
  const cameras = f.pytorchCameras;
  const names = Array.from({ length: cameras }, (_, i) => `cam-${i + 1}`);
  console.log(
    `pytorch recompute peer: ${cameras} cameras at ${f.resolution} (${f.ingest}), ${f.seconds} s ...`,
  );
  const simulator = await startSimulatorProcess(ffmpeg, simulatorFeeds(names, footage, f.staggerMs));
  try {
    // The peer reads what the service's recognition reads (the substream when there is one).
    const urls = names.map((n) => simulator.url(footage.substream === undefined ? n : `${n}-sub`));
    // The peer gets the cores the service's inference had (workers x threads), as a script would take them.
    const result = await runPytorchPeer(repoRoot, urls, { ...f, threads: f.threads * f.workers });
    if (result) console.log(JSON.stringify(result));
    return result === undefined
      ? undefined
      : { ...result, cameras, resolution: f.resolution, ingest: f.ingest };
  } finally {
    await simulator.close();
  }
}

async function main(): Promise<void> {
  const f = flagsOrExit('bench:pipeline', USAGE, () => parseBenchFlags(process.argv.slice(2)));
  const resultsDir = join(repoRoot, 'bench', 'results');
  if (f === 'help') return console.log(USAGE);
  if (f.plotOnly) return console.log(`wrote ${writePlot(resultsDir)}`);
  const ffmpeg = locateFfmpeg()?.path;
  if (ffmpeg === undefined) throw new Error('no ffmpeg: apt-get install ffmpeg or set FFMPEG_PATH');
  const source = join(repoRoot, 'test', 'fixtures', 'reference', 'example.avi');
  const footage: Footage = {
    main: ensureFootage(ffmpeg, source, cacheDir, f.resolution),
    substream: f.ingest === 'substream' ? ensureFootage(ffmpeg, source, cacheDir, '360p') : undefined,
  };
  const serviceFfmpeg = f.ffmpeg === 'bundled' ? requireBundledFfmpeg() : undefined;
  // Calibrated on what the model sees (the substream when there is one).
  const dirs = await modelDirs(ffmpeg, footage.substream ?? footage.main);
  const loadBefore = loadavg();
  const rows = [];
  for (const cameras of f.cameras) {
    for (const precision of f.precisions) {
      console.log(`${precision}: ${cameras} cameras at ${f.resolution} (${f.ingest}), ${f.seconds} s ...`);
      const row = await runStep(precision, dirs[precision], footage, cameras, f, ffmpeg, serviceFfmpeg);
      console.log(JSON.stringify(row));
      rows.push(row);
    }
  }
  const pytorch = f.pytorch ? await pytorchStep(footage, f, ffmpeg) : undefined;
  const name = f.preset === 'custom' ? 'pipeline-serve.json' : `pipeline-serve-${f.preset}.json`;
  const out = join(resultsDir, name);
  mkdirSync(dirname(out), { recursive: true });
  const report = {
    benchmark: 'pipeline-serve',
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, model: cpus()[0]?.model ?? '?', loadBefore, loadAfter: loadavg() },
    flags: f,
    serviceFfmpeg: ffmpegVersionLine(serviceFfmpeg ?? ffmpeg),
    footage: { source: 'test/fixtures/reference/example.avi', ...footage },
    rows,
    pytorchRecompute: pytorch ?? null,
  };
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`wrote ${out}`);
  for (const r of rows) {
    console.log(
      `${r.precision} ${r.cameras} cameras ${r.resolution} (decodes ${r.decodes}, ${r.decode} frames): ` +
        `${r.keptUp ? 'KEPT UP' : 'FELL BEHIND'} (p99 <= ${String(r.latencyMs.p99AtMost)} ms` +
        `${r.keyframeHoldMs > 0 ? ` + ${r.keyframeHoldMs} ms keyframe hold` : ''}, ` +
        `drops ${Object.values(r.drops).reduce((a, b) => a + b, 0)}, min camera rate ` +
        `${Math.min(...r.perCameraPerSecond)}/s)`,
    );
  }
  console.log(`wrote ${writePlot(resultsDir)}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
