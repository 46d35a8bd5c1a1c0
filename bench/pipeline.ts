// How many cameras the streaming pipeline keeps up with, with per-segment feature reuse and without.
// npm run bench:pipeline:rig [-- --quick | --resolution 360p|1080p|both --cameras 1,2,4 --seconds 25 ...]
// (--help lists every option). N simulated RTSP cameras (one simulator process, clips rendered once)
// are ingested by the service's own sources and pipeline on a random-weight ResNet-50 (onnx, CPU); every
// step reports predictions/s, drops, latency, CPU and memory; the run stops at the first step that falls
// behind. Writes bench/results/pipeline.json and pipeline.svg.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { locateFfmpeg } from '../src/config/ffmpeg-path.js';
import type { Backend } from '../src/inference/backend.js';
import { createBackend } from '../src/inference/create-backend.js';
import { defaultBatching } from '../src/pipeline/index.js';
import { loadAverage } from './lib/proc-stats.js';
import { ensureClip, type Resolution } from './pipeline/clips.js';
import { parseBenchFlags, usage, type BenchFlags } from './pipeline/flags.js';
import { randomTsnModel } from './pipeline/random-model.js';
import type { Rig, ReuseMode, TsnSettings } from './pipeline/rig.js';
import { startSimulatorProcess, type SimulatorProcess } from './pipeline/simulator.js';
import { runStep, type StepRow } from './pipeline/step.js';
import { renderPlot, type PlotSeries } from './pipeline/svg-plot.js';
import { behindReasons, sustainedCameras, targetLines } from './pipeline/verdict.js';
import { ffmpegVersionLine } from './lib/ffmpeg-version.js';
import { flagsOrExit } from './lib/bench-args.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const tsn: TsnSettings = { numSeg: 8, windowMs: 8000, strideSegments: 1, sampleFps: 4 };
const DEPTH = 50;
const NUM_CLASSES = 400;

/** Everything that must be stopped on the way out, including on Ctrl-C. */
class Cleanup {
  backend: Backend | undefined;
  simulator: SimulatorProcess | undefined;
  readonly rigs = new Set<Rig>();
  private running: Promise<void> | undefined;

  track = (rig: Rig): (() => void) => {
    this.rigs.add(rig);
    return () => this.rigs.delete(rig);
  };

  run(): Promise<void> {
    this.running ??= (async () => {
      await Promise.allSettled([...this.rigs].map((r) => r.close()));
      await this.simulator?.close();
      await this.backend?.close();
    })();
    return this.running;
  }
}

async function main(): Promise<void> {
  const flags = flagsOrExit('bench:pipeline:rig', usage, () => parseBenchFlags(process.argv.slice(2)));
  const settings: TsnSettings = { ...tsn, sampleFps: flags.sampleFps };
  const ffmpegPath = locateFfmpeg()?.path;
  if (ffmpegPath === undefined) throw new Error('no ffmpeg: apt-get install ffmpeg or set FFMPEG_PATH');
  const cleanup = new Cleanup();
  onInterrupt(cleanup);
  const startedAt = new Date().toISOString();
  const loadBefore = loadAverage();
  console.log(machineLine(loadBefore));
  const model = randomTsnModel(DEPTH, NUM_CLASSES, settings.numSeg);
  const backend = await createBackend(model, {
    backend: 'onnx',
    executionProviders: ['cpu'],
    threads: flags.threads,
  });
  cleanup.backend = backend;
  console.log(
    `backend: ${backend.description}, ${flags.threads} threads; ResNet-${DEPTH}, ${NUM_CLASSES} classes`,
  );
  const rows: StepRow[] = [];
  try {
    for (const resolution of flags.resolutions) {
      await runResolution(resolution, flags, settings, { backend, model, ffmpegPath, cleanup, rows });
    }
  } finally {
    await cleanup.run();
  }
  report(rows, flags, settings, { startedAt, loadBefore, backend: backend.description, ffmpegPath });
}

interface RunContext {
  readonly backend: Backend;
  readonly model: ReturnType<typeof randomTsnModel>;
  readonly ffmpegPath: string;
  readonly cleanup: Cleanup;
  readonly rows: StepRow[];
}

async function runResolution(
  resolution: Resolution,
  flags: BenchFlags,
  settings: TsnSettings,
  ctx: RunContext,
): Promise<void> {
  const clip = await ensureClip(resolution, ctx.ffmpegPath, resolve(repoRoot, flags.clipsDir));
  const feeds = Array.from({ length: flags.feeds }, (_, i) => ({ name: `feed${i + 1}`, file: clip }));
  const simulator = await startSimulatorProcess(ctx.ffmpegPath, feeds);
  ctx.cleanup.simulator = simulator;
  try {
    for (const mode of flags.modes) {
      const counts = mode === 'reuse' ? flags.reuseCameras : flags.recomputeCameras;
      for (const cameras of counts) {
        const row = await runStep(
          {
            mode,
            cameras,
            urls: feeds.map((f) => simulator.url(f.name)),
            tsn: settings,
            phase: flags.phase,
            frameClock: flags.frameClock,
            batching: flags.batching,
          },
          { warmupSeconds: flags.warmupSeconds, measureSeconds: flags.measureSeconds },
          {
            backend: ctx.backend,
            model: ctx.model,
            ffmpegPath: ctx.ffmpegPath,
            simulatorPid: simulator.pid,
            resolution,
            track: ctx.cleanup.track,
            onWarning: (camera, message) => console.error(`  [${camera}] ${message}`),
          },
        );
        ctx.rows.push(row);
        const reasons = behindReasons(row);
        console.log(stepLine(row, reasons));
        if (reasons.length > 0 && !flags.keepGoing) break;
      }
    }
  } finally {
    await simulator.close();
    ctx.cleanup.simulator = undefined;
  }
}

function stepLine(r: StepRow, reasons: readonly string[]): string {
  const verdict = reasons.length === 0 ? 'keeps up' : `BEHIND: ${reasons.join('; ')}`;
  return (
    `${r.resolution} ${r.mode.padEnd(9)} N=${String(r.cameras).padStart(2)}: ` +
    `${r.predictionsPerSecond.toFixed(2)} pred/s (min camera ${r.minCameraPredictionsPerSecond.toFixed(2)}), ` +
    `latency p50 ${r.latencyP50Ms} p99 ${r.latencyP99Ms} ms ` +
    `(source clock ahead ${r.sourceClockAheadP50Ms} ms), drops ${r.droppedSegmentFrames}, ` +
    `backbone ${r.backboneFramesPerSecond} frames/s (batch ${r.meanBatch}, ${r.inferenceP50Ms} ms), ` +
    (r.mode === 'reuse'
      ? `head ${r.headCallsPerSecond} calls/s (p50 ${r.headP50Ms} p99 ${r.headP99Ms} ms), `
      : '') +
    `CPU service ${r.cpu.serviceCores} cores = ${r.cpu.servicePercentOfMachine} % (node ${r.cpu.nodeCores} + ffmpeg ${r.cpu.ingestFfmpegCores}), ` +
    `simulator ${r.cpu.simulatorCores}, others ${r.cpu.otherCores}, ` +
    `memory ${r.memoryMb.service} MB (node RSS ${r.memoryMb.nodeRss} + ffmpeg PSS ${r.memoryMb.ingestFfmpegPss})` +
    `${r.valid ? '' : ' [a source reconnected]'} -> ${verdict}`
  );
}

function report(
  rows: readonly StepRow[],
  flags: BenchFlags,
  settings: TsnSettings,
  run: { startedAt: string; loadBefore: number[]; backend: string; ffmpegPath: string },
): void {
  console.log('\nsustained cameras (rate >= 95 %, no drops, p99 <= 2 s):');
  for (const resolution of flags.resolutions) {
    const line = flags.modes.map((mode) => {
      const n = sustainedCameras(rows.filter((r) => r.resolution === resolution && r.mode === mode));
      return `${mode} ${n}`;
    });
    console.log(`  ${resolution}: ${line.join(', ')}`);
  }
  const targets = targetLines(rows, {
    reuse: Math.max(...flags.reuseCameras),
    recompute: Math.max(...flags.recomputeCameras),
  });
  console.log('');
  for (const t of targets) console.log(`${t.pass ? 'PASS' : 'FAIL'} ${t.text}`);
  if (!flags.resolutions.includes('360p')) console.log('(targets are defined on 360p; none checked)');
  if (!flags.write) return;
  const resultsDir = resolve(repoRoot, flags.outDir);
  mkdirSync(resultsDir, { recursive: true });
  const json = {
    benchmark: 'pipeline',
    date: run.startedAt,
    machine: machineInfo(run.ffmpegPath, run.loadBefore),
    config: {
      model: `ResNet-${DEPTH} TSN, random weights, ${NUM_CLASSES} classes`,
      backend: run.backend,
      threads: flags.threads,
      tsn: settings,
      crop: 'center (1 view)',
      batching: {
        ...defaultBatching,
        ...flags.batching,
        recompute: 'maxBatch / numSeg windows per call, maxQueue / numSeg windows waiting',
      },
      phase: flags.phase,
      frameClock: flags.frameClock,
      feeds: flags.feeds,
      warmupSeconds: flags.warmupSeconds,
      measureSeconds: flags.measureSeconds,
      quick: flags.quick,
    },
    targets: targets.map((t) => ({ pass: t.pass, text: t.text })),
    rows: rows.map((r) => ({ ...r, behind: behindReasons(r) })),
  };
  const jsonPath = join(resultsDir, 'pipeline.json');
  writeFileSync(jsonPath, `${JSON.stringify(json, null, 2)}\n`);
  const svgPath = join(resultsDir, 'pipeline.svg');
  writeFileSync(svgPath, plotOf(rows, json.machine.cpuModel, flags));
  console.log(`\nwrote ${jsonPath}\nwrote ${svgPath}`);
}

function plotOf(rows: readonly StepRow[], cpuModel: string, flags: BenchFlags): string {
  const colors: Record<ReuseMode, string> = { reuse: '#1f77b4', recompute: '#d62728' };
  const series: PlotSeries[] = [];
  for (const resolution of flags.resolutions) {
    for (const mode of flags.modes) {
      const points = rows.filter((r) => r.resolution === resolution && r.mode === mode);
      if (points.length === 0) continue;
      series.push({
        label: `${resolution} ${mode === 'reuse' ? 'feature reuse' : 'recompute'}`,
        color: colors[mode],
        dashed: resolution === '1080p',
        points: points.map((r) => ({ ...r, behind: behindReasons(r).length > 0 })),
      });
    }
  }
  return renderPlot(
    `tsn-stream: ResNet-50 TSN (8 segments / 8 s, 1 prediction/s per camera)`,
    `${cpus().length} x ${cpuModel}, onnxruntime CPU ${flags.threads} threads${flags.quick ? ' (quick run)' : ''}`,
    series,
  );
}

function machineInfo(ffmpegPath: string, loadBefore: readonly number[]) {
  return {
    cpuModel: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGb: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    onnxruntimeNode: packageVersion('onnxruntime-node'),
    ffmpeg: ffmpegVersionLine(ffmpegPath),
    loadAverageBefore: loadBefore,
    loadAverageAfter: loadAverage(),
  };
}

function machineLine(load: readonly number[]): string {
  return (
    `${cpus().length} x ${cpus()[0]?.model ?? '?'}, node ${process.version}, onnxruntime-node ` +
    `${packageVersion('onnxruntime-node')}; load average ${load.join(' ')}` +
    (load[0] !== undefined && load[0] > cpus().length * 0.5 ? ' (busy machine: figures will be low)' : '')
  );
}

function packageVersion(name: string): string {
  try {
    const text = readFileSync(join(repoRoot, 'node_modules', name, 'package.json'), 'utf8');
    return (JSON.parse(text) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

function onInterrupt(cleanup: Cleanup): void {
  let interrupted = false;
  const handler = (signal: NodeJS.Signals): void => {
    if (interrupted) process.exit(130); // a second Ctrl-C: leave now
    interrupted = true;
    console.error(`\n${signal}: stopping cameras, simulator and backend ...`);
    void cleanup.run().finally(() => process.exit(130));
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
