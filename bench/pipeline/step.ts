// One benchmark step: N cameras for warm-up + measurement, then everything closed. Figures come from the
// pipeline's own metrics (counters, drainSamples) and from /proc for CPU and memory.
import { cpus } from 'node:os';
import type { PipelineMetricsSnapshot } from '../../src/pipeline/index.js';
import { maxOf, mean, percentile, round } from '../lib/percentiles.js';
import {
  clockTicksPerSecond,
  descendantsOf,
  machineJiffies,
  pssBytesOf,
  readProc,
  rssBytesOf,
} from '../lib/proc-stats.js';
import { startRig, type Rig, type RigDeps, type RigOptions } from './rig.js';

export interface StepTiming {
  readonly warmupSeconds: number;
  readonly measureSeconds: number;
}

export interface StepRow {
  readonly mode: RigOptions['mode'];
  readonly resolution: string;
  readonly cameras: number;
  readonly measuredSeconds: number;
  readonly predictions: number;
  readonly predictionsPerSecond: number;
  readonly expectedPredictionsPerSecond: number;
  /** The slowest camera's rate (fairness: one starved camera hides in the total). */
  readonly minCameraPredictionsPerSecond: number;
  readonly droppedSegmentFrames: number;
  readonly headDroppedWindows: number;
  readonly degradedWindows: number;
  readonly lateFrames: number;
  readonly inferenceErrors: number;
  readonly latencyP50Ms: number;
  readonly latencyP99Ms: number;
  readonly latencyMaxMs: number;
  /** How far the source's frame wall times ran ahead of the frames' arrival (ms; > 0 = in the future). */
  readonly sourceClockAheadP50Ms: number;
  readonly sourceClockAheadMaxMs: number;
  readonly backboneFramesPerSecond: number;
  readonly meanBatch: number;
  readonly inferenceP50Ms: number;
  readonly backboneCallsPerSecond: number;
  readonly headCallsPerSecond: number;
  /** Head call durations as the pipeline sees them (queued in the backend behind backbone calls included). */
  readonly headP50Ms: number;
  readonly headP99Ms: number;
  /** CPU seconds per second (1 = one core busy). service = node process (all threads) + ingest ffmpegs. */
  readonly cpu: {
    readonly serviceCores: number;
    /** serviceCores over the machine's cores, in % (100 = every core busy with the service). */
    readonly servicePercentOfMachine: number;
    readonly nodeCores: number;
    readonly ingestFfmpegCores: number;
    readonly simulatorCores: number;
    readonly machineBusyCores: number;
    /** Busy CPU that was neither the service nor the simulator: other users of the machine. */
    readonly otherCores: number;
  };
  /**
   * Peak memory over the measurement, MB: the node process's RSS, the ingest ffmpegs' summed RSS (counts
   * their shared libraries once per process) and PSS (shares them out), service = node RSS + ffmpeg PSS.
   */
  readonly memoryMb: {
    readonly nodeRss: number;
    readonly ingestFfmpegRss: number;
    readonly ingestFfmpegPss: number;
    readonly service: number;
  };
  /** False when a source reconnected during the measurement (the figures then mix two states). */
  readonly valid: boolean;
  readonly firstPredictionTimedOut: boolean;
}

export interface StepContext extends RigDeps {
  readonly simulatorPid: number;
  readonly resolution: string;
  /** Registers the running rig for Ctrl-C cleanup; returns an unregister function. */
  readonly track: (rig: Rig) => () => void;
}

export async function runStep(options: RigOptions, timing: StepTiming, ctx: StepContext): Promise<StepRow> {
  const rig = startRig(options, ctx);
  const untrack = ctx.track(rig);
  try {
    const firstDeadlineMs = options.tsn.windowMs + 45_000;
    const ready = await waitUntil(() => everyCameraPredicted(rig), firstDeadlineMs);
    await delay(timing.warmupSeconds * 1000);
    return await measure(rig, options, timing, ctx, !ready);
  } finally {
    await rig.close();
    untrack();
  }
}

async function measure(
  rig: Rig,
  options: RigOptions,
  timing: StepTiming,
  ctx: StepContext,
  firstPredictionTimedOut: boolean,
): Promise<StepRow> {
  const pids = rig.sources.map((s) => s.stats().pid);
  const spawns = rig.sources.map((s) => s.stats().spawns);
  const before = cpuSnapshot(pids, ctx.simulatorPid);
  const metricsBefore = rig.pipeline.metrics();
  const errorsBefore = rig.errors();
  rig.pipeline.drainSamples();
  rig.drainClockSkew();
  const latency: number[] = [];
  const inference: number[] = [];
  const batches: number[] = [];
  const heads: number[] = [];
  const peak: MemoryPeak = { node: 0, ffmpegRss: 0, ffmpegPss: 0, service: 0 };
  let tick = 1;
  const startMs = performance.now();
  while (performance.now() - startMs < timing.measureSeconds * 1000) {
    await delay(Math.min(1000, timing.measureSeconds * 1000 - (performance.now() - startMs)));
    const samples = rig.pipeline.drainSamples();
    latency.push(...samples.latencyMs);
    inference.push(...samples.inferenceMs);
    batches.push(...samples.batchSize);
    heads.push(...samples.headMs);
    // Reading smaps_rollup costs ~0.5 ms per process on this event loop: every 5 s and at the end only.
    const last = performance.now() - startMs >= timing.measureSeconds * 1000;
    if (tick++ % 5 === 0 || last) sampleMemory(pids, peak);
  }
  const seconds = (performance.now() - startMs) / 1000;
  const skew = rig.drainClockSkew();
  const after = cpuSnapshot(pids, ctx.simulatorPid);
  const metricsAfter = rig.pipeline.metrics();
  const valid = rig.sources.every((s, i) => s.stats().spawns === spawns[i] && s.stats().pid === pids[i]);
  const delta = counterDelta(metricsBefore, metricsAfter, rig.cameraIds);
  const perCore = (a: number, b: number) => round((b - a) / seconds, 3);
  const nodeCores = perCore(before.node, after.node);
  const ingestFfmpegCores = perCore(before.ffmpeg, after.ffmpeg);
  const simulatorCores = perCore(before.simulator, after.simulator);
  const machineBusyCores = perCore(before.machine, after.machine);
  const mb = (bytes: number) => round(bytes / 2 ** 20, 1);
  const backboneFrames = options.mode === 'reuse' ? delta.batchItems : delta.batchItems * options.tsn.numSeg;
  return {
    mode: options.mode,
    resolution: ctx.resolution,
    cameras: options.cameras,
    measuredSeconds: round(seconds, 2),
    predictions: delta.predictions,
    predictionsPerSecond: round(delta.predictions / seconds, 3),
    expectedPredictionsPerSecond: round(options.cameras * strideRatePerSecond(options), 3),
    minCameraPredictionsPerSecond: round(Math.min(...delta.perCamera) / seconds, 3),
    droppedSegmentFrames: delta.queueDrops,
    headDroppedWindows: metricsAfter.headDropped - metricsBefore.headDropped,
    degradedWindows: metricsAfter.windowsDegraded - metricsBefore.windowsDegraded,
    lateFrames: delta.framesLate,
    inferenceErrors: rig.errors() - errorsBefore,
    latencyP50Ms: round(percentile(latency, 50), 1),
    latencyP99Ms: round(percentile(latency, 99), 1),
    latencyMaxMs: round(maxOf(latency), 1),
    sourceClockAheadP50Ms: round(percentile(skew, 50), 1),
    sourceClockAheadMaxMs: round(maxOf(skew), 1),
    backboneFramesPerSecond: round(backboneFrames / seconds, 2),
    meanBatch: round(mean(batches), 2),
    inferenceP50Ms: round(percentile(inference, 50), 1),
    backboneCallsPerSecond: round((metricsAfter.batches - metricsBefore.batches) / seconds, 2),
    headCallsPerSecond: round((metricsAfter.headCalls - metricsBefore.headCalls) / seconds, 2),
    headP50Ms: round(percentile(heads, 50), 1),
    headP99Ms: round(percentile(heads, 99), 1),
    cpu: {
      serviceCores: round(nodeCores + ingestFfmpegCores, 3),
      servicePercentOfMachine: round(((nodeCores + ingestFfmpegCores) / cpus().length) * 100, 1),
      nodeCores,
      ingestFfmpegCores,
      simulatorCores,
      machineBusyCores,
      otherCores: round(Math.max(0, machineBusyCores - nodeCores - ingestFfmpegCores - simulatorCores), 3),
    },
    memoryMb: {
      nodeRss: mb(peak.node),
      ingestFfmpegRss: mb(peak.ffmpegRss),
      ingestFfmpegPss: mb(peak.ffmpegPss),
      service: mb(peak.service),
    },
    valid,
    firstPredictionTimedOut,
  };
}

interface MemoryPeak {
  node: number;
  ffmpegRss: number;
  ffmpegPss: number;
  service: number;
}

function sampleMemory(pids: readonly (number | undefined)[], peak: MemoryPeak): void {
  const node = rssBytesOf(process.pid);
  const live = pids.filter((pid): pid is number => pid !== undefined);
  const ffmpegRss = live.reduce((sum, pid) => sum + rssBytesOf(pid), 0);
  const ffmpegPss = live.reduce((sum, pid) => sum + pssBytesOf(pid), 0);
  peak.node = Math.max(peak.node, node);
  peak.ffmpegRss = Math.max(peak.ffmpegRss, ffmpegRss);
  peak.ffmpegPss = Math.max(peak.ffmpegPss, ffmpegPss);
  peak.service = Math.max(peak.service, node + ffmpegPss);
}

export function strideRatePerSecond(options: RigOptions): number {
  const strideMs = (options.tsn.windowMs / options.tsn.numSeg) * options.tsn.strideSegments;
  return 1000 / strideMs;
}

function everyCameraPredicted(rig: Rig): boolean {
  const cameras = rig.pipeline.metrics().cameras;
  return rig.cameraIds.every((id) => (cameras[id]?.predictions ?? 0) > 0);
}

interface CpuSnapshot {
  readonly node: number;
  readonly ffmpeg: number;
  readonly simulator: number;
  /** Busy CPU seconds of the whole machine. */
  readonly machine: number;
}

function cpuSnapshot(ffmpegPids: readonly (number | undefined)[], simulatorPid: number): CpuSnapshot {
  const cpuOf = (pid: number | undefined) => (pid === undefined ? 0 : (readProc(pid)?.cpuSeconds ?? 0));
  const simulatorTree = descendantsOf(simulatorPid).reduce((sum, p) => sum + p.cpuSeconds, 0);
  const jiffies = machineJiffies();
  return {
    node: cpuOf(process.pid),
    ffmpeg: ffmpegPids.reduce<number>((sum, pid) => sum + cpuOf(pid), 0),
    simulator: cpuOf(simulatorPid) + simulatorTree,
    // /proc/stat counts in USER_HZ, the same clock tick as /proc/<pid>/stat.
    machine: jiffies.busy / clockTicksPerSecond,
  };
}

function counterDelta(
  before: PipelineMetricsSnapshot,
  after: PipelineMetricsSnapshot,
  cameraIds: readonly string[],
) {
  const sum = (snapshot: PipelineMetricsSnapshot, key: 'predictions' | 'queueDrops' | 'framesLate') =>
    cameraIds.reduce((total, id) => total + (snapshot.cameras[id]?.[key] ?? 0), 0);
  return {
    predictions: sum(after, 'predictions') - sum(before, 'predictions'),
    queueDrops: sum(after, 'queueDrops') - sum(before, 'queueDrops'),
    framesLate: sum(after, 'framesLate') - sum(before, 'framesLate'),
    batchItems: after.batchItems - before.batchItems,
    perCamera: cameraIds.map(
      (id) => (after.cameras[id]?.predictions ?? 0) - (before.cameras[id]?.predictions ?? 0),
    ),
  };
}

async function waitUntil(condition: () => boolean, withinMs: number): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await delay(100);
  }
  return true;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}
