// Remote inference vs local (issue 13): per-frame CPU on the edge and on the worker, bytes per frame and
// round-trip p50/p99 at a few concurrencies, plus what JPEG crops or float16 features would change.
//   npm run bench:remote [-- --quick --depth 50 --concurrency 1,4,8,16 --seconds 10 --threads 0]
// One run holds every part: a nats-server on loopback (started and stopped here), an inference worker in
// a child process (src/cluster/infer-worker.ts; its CPU read from /proc), the edge side in this process
// (src/cluster/remote-embed.ts), and the local embed (src/inference createEmbed) as the baseline. The
// model is a TSN ResNet with seeded random weights: the compute of the real checkpoint, which cannot be
// downloaded here. Frames are 224x224 testsrc2 crops (what a CenterCrop camera sends). Writes
// bench/results/remote-infer.json; docs/scale-out.md turns it into cameras per node.
import { spawn, type ChildProcess } from 'node:child_process';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface, type Interface } from 'node:readline';
import { connect, type NatsConnection } from 'nats';
import { firstValueFrom, from } from 'rxjs';
import { encodeInferReply, encodeInferRequest } from '../src/cluster/infer-wire.js';
import { createRemoteEmbed, inferSubject } from '../src/cluster/remote-embed.js';
import { locateFfmpeg } from '../src/config/ffmpeg-path.js';
import type { Backend } from '../src/inference/backend.js';
import { createBackend } from '../src/inference/create-backend.js';
import { createEmbed } from '../src/inference/pipeline-inference.js';
import type { EmbedFn } from '../src/pipeline/inference-stages.js';
import { maxOf, percentile } from './lib/percentiles.js';
import { readProc } from './lib/proc-stats.js';
import { randomTsnModel } from './pipeline/random-model.js';
import { parseRemoteFlags, usage, type RemoteFlags } from './remote-infer/flags.js';
import { runLoad, segmentFrames } from './remote-infer/load.js';
import { hasNatsServer, startNatsServer, type NatsServerHandle } from '../test/helpers/nats-server.js';
import { paperModel } from './remote-infer/paper-model.js';
import { printReport, writeReport, type StepRow } from './remote-infer/report.js';
import { measureWireAlternatives } from './remote-infer/wire-report.js';
import { testFrames } from './remote-infer/wire-alternatives.js';
import type { WorkerChildConfig } from './remote-infer/worker-child.js';
import { flagsOrExit } from './lib/bench-args.js';

const here = dirname(fileURLToPath(import.meta.url));
const NUM_CLASSES = 400;
const SUBJECT_PREFIX = 'tsn';

const cpuMs = (u: NodeJS.CpuUsage): number => (u.user + u.system) / 1000;
const procCpuMs = (pid: number): number => (readProc(pid)?.cpuSeconds ?? Number.NaN) * 1000;

interface WorkerChild {
  readonly child: ChildProcess;
  readonly lines: Interface;
  stats(): Promise<{ frames: number; batches: number; refused: number }>;
  stop(): Promise<void>;
}

async function startWorkerChild(config: WorkerChildConfig): Promise<WorkerChild> {
  const child = spawn(
    process.execPath,
    [join(here, 'remote-infer', 'worker-child.js'), JSON.stringify(config)],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const lines = createInterface({ input: child.stdout! });
  const waiting: ((line: string) => void)[] = [];
  lines.on('line', (line) => waiting.shift()?.(line));
  const nextLine = () =>
    new Promise<string>((resolve, reject) => {
      waiting.push(resolve);
      void exited.then(() => reject(new Error('the infer worker exited')));
    });
  const stop = async () => {
    child.stdin?.end();
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  try {
    await nextLine();
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    child,
    lines,
    stats: async () => {
      const line = nextLine();
      child.stdin!.write('stats\n');
      return JSON.parse(await line) as { frames: number; batches: number; refused: number };
    },
    stop,
  };
}

/** Local: one backbone call of `concurrency` frames, as the single-process batcher would make it. */
async function localSteps(embed: EmbedFn, flags: RemoteFlags, frames: Uint8Array[]): Promise<StepRow[]> {
  const segments = segmentFrames(frames);
  const rows: StepRow[] = [];
  for (const concurrency of flags.concurrency) {
    const batch = Math.min(concurrency, flags.maxBatch) * flags.framesPerRequest;
    await runLoad(embed, segments, 1, batch, flags.warmupMs);
    const before = process.cpuUsage();
    const run = await runLoad(embed, segments, 1, batch, flags.measureMs);
    const edgeCpu = cpuMs(process.cpuUsage(before));
    rows.push({ mode: 'local', concurrency, framesPerRequest: batch, run, cpuMs: { edge: edgeCpu } });
    console.log(
      `local  c=${concurrency}: ${run.frames} frames, ${(edgeCpu / run.frames).toFixed(1)} ms CPU/frame`,
    );
  }
  return rows;
}

async function remoteSteps(
  flags: RemoteFlags,
  frames: Uint8Array[],
  nats: NatsServerHandle,
  worker: WorkerChild,
  embed: EmbedFn,
  stats: { bytesOut: number; bytesIn: number; retries: number; failures: number },
): Promise<StepRow[]> {
  const segments = segmentFrames(frames);
  const rows: StepRow[] = [];
  for (const concurrency of flags.concurrency) {
    await runLoad(embed, segments, concurrency, flags.framesPerRequest, flags.warmupMs);
    const w0 = await worker.stats();
    const s0 = { ...stats };
    const [edge0, worker0, nats0] = [process.cpuUsage(), procCpuMs(worker.child.pid!), procCpuMs(nats.pid!)];
    const run = await runLoad(embed, segments, concurrency, flags.framesPerRequest, flags.measureMs);
    const cpu = {
      edge: cpuMs(process.cpuUsage(edge0)),
      worker: procCpuMs(worker.child.pid!) - worker0,
      natsServer: procCpuMs(nats.pid!) - nats0,
    };
    const w1 = await worker.stats();
    rows.push({
      mode: 'remote',
      concurrency,
      framesPerRequest: flags.framesPerRequest,
      run,
      cpuMs: cpu,
      bytes: { request: stats.bytesOut - s0.bytesOut, reply: stats.bytesIn - s0.bytesIn },
      worker: {
        frames: w1.frames - w0.frames,
        batches: w1.batches - w0.batches,
        refused: w1.refused - w0.refused,
      },
      retries: stats.retries - s0.retries,
      failures: stats.failures - s0.failures,
    });
    console.log(
      `remote c=${concurrency}: ${run.frames} frames, edge ${(cpu.edge / run.frames).toFixed(2)} ms, ` +
        `worker ${(cpu.worker / run.frames).toFixed(1)} ms CPU/frame`,
    );
  }
  return rows;
}

/** The crop/normalise share of local embed: createEmbed over a backbone that returns zeros at once. */
async function preprocessCpuMsPerFrame(
  embedOf: (b: Backend) => EmbedFn,
  backend: Backend,
  frames: Uint8Array[],
) {
  const instant: Backend = {
    ...backend,
    features: async (_images, count) => new Float32Array(count * backend.featureDim),
  };
  const segments = segmentFrames(frames);
  const before = process.cpuUsage();
  const run = await runLoad(embedOf(instant), segments, 1, 8, 1000);
  return cpuMs(process.cpuUsage(before)) / run.frames;
}

async function main(): Promise<void> {
  const flags = flagsOrExit('bench:remote', usage, () => parseRemoteFlags(process.argv.slice(2)));
  const ffmpeg = locateFfmpeg();
  if (ffmpeg === undefined)
    throw new Error('needs ffmpeg (apt-get install -y ffmpeg, or npm ci for @ffmpeg-installer)');
  if (!hasNatsServer()) throw new Error('needs Debian package nats-server (apt-get install -y nats-server)');
  const model = randomTsnModel(flags.depth, NUM_CLASSES, 8);
  const frames = testFrames(ffmpeg.path, flags.frameCount);
  console.log(
    `bench:remote: ResNet-${flags.depth} (random weights), ${frames.length} testsrc2 crops, ${cpus().length} cpus`,
  );

  const backend = await createBackend(model, {
    backend: 'onnx',
    executionProviders: ['cpu'],
    threads: flags.threads,
  });
  const embedOf = (b: Backend) => createEmbed(b, model);
  const localEmbed = embedOf(backend);
  const local = await localSteps(localEmbed, flags, frames);
  const preprocessMs = await preprocessCpuMsPerFrame(embedOf, backend, frames);
  const probe = segmentFrames(frames.slice(0, 8));
  const localFeatures = await firstValueFrom(from(localEmbed(probe, 1)));
  const wire = await measureWireAlternatives({
    ffmpeg: ffmpeg.path,
    frames,
    localFeatures,
    featureDim: backend.featureDim,
    embed: localEmbed,
    head: (f, windows, perWindow) => backend.head(f, windows, perWindow),
    requestBytes: (n) =>
      encodeInferRequest({ modelId: model.id, views: 1, frames: probe.slice(0, n).map((s) => s.frame) })
        .byteLength,
    replyBytes: (n) =>
      encodeInferReply({
        ok: true,
        worker: 'bench-worker',
        featureDim: backend.featureDim,
        features: localFeatures.subarray(0, n * backend.featureDim),
      }).byteLength,
  });
  await backend.close();

  let nats: NatsServerHandle | undefined;
  let worker: WorkerChild | undefined;
  let nc: NatsConnection | undefined;
  try {
    // Remote inference is plain request/reply: no JetStream. The default max_payload (1 MB) holds 6 frames;
    // the edge splits larger batches.
    nats = await startNatsServer({ jetstream: false });
    worker = await startWorkerChild({
      natsUrl: nats.url,
      depth: flags.depth,
      numClasses: NUM_CLASSES,
      threads: flags.threads,
      maxBatch: flags.maxBatch,
      maxWaitMs: flags.maxWaitMs,
      maxQueue: 1024,
      subjectPrefix: SUBJECT_PREFIX,
    });
    nc = await connect({ servers: nats.url, name: 'bench-edge' });
    // A timeout long enough that a loaded worker is measured, not retried.
    const remote = createRemoteEmbed(nc, {
      modelId: model.id,
      subject: inferSubject(SUBJECT_PREFIX, model.id),
      timeoutMs: 60_000,
      now: () => performance.now(),
    });
    const remoteFeatures = await firstValueFrom(from(remote.embed(probe, 1)));
    const identical =
      remoteFeatures.length === localFeatures.length &&
      remoteFeatures.every((v, i) => v === localFeatures[i]);
    const rows = await remoteSteps(flags, frames, nats, worker, remote.embed, remote.stats);
    const report = {
      benchmark: 'remote-infer',
      date: new Date().toISOString(),
      node: process.version,
      cpu: { count: cpus().length, model: cpus()[0]?.model ?? '?' },
      quick: flags.quick,
      model: {
        architecture: `TSN ResNet-${flags.depth}`,
        weights: 'seeded random (compute of the real checkpoint)',
        featureDim: model.manifest.featureDim,
        numClasses: NUM_CLASSES,
      },
      settings: {
        threads: flags.threads,
        workerMaxBatch: flags.maxBatch,
        workerMaxWaitMs: flags.maxWaitMs,
        framesPerRequest: flags.framesPerRequest,
        measureSeconds: flags.measureMs / 1000,
        warmupSeconds: flags.warmupMs / 1000,
      },
      remoteFeaturesBitIdentical: identical,
      preprocessCpuMsPerFrame: preprocessMs,
      wire,
      ...summarise([...local, ...rows], preprocessMs),
    };
    const withModel = { ...report, paperModel: paperModel(report, flags.gpuFramesPerSecond) };
    printReport(withModel);
    if (flags.write) console.log(`wrote ${writeReport(withModel)}`);
  } finally {
    await nc?.close().catch(() => undefined);
    await worker?.stop();
    await nats?.cleanup();
  }
}

/** Rows as figures, plus the per-frame costs the paper model uses (at the highest concurrency measured). */
function summarise(rows: readonly StepRow[], preprocessMs: number) {
  const steps = rows.map((r) => ({
    mode: r.mode,
    concurrency: r.concurrency,
    framesPerRequest: r.framesPerRequest,
    frames: r.run.frames,
    errors: r.run.errors,
    framesPerSecond: (r.run.frames * 1000) / r.run.wallMs,
    roundTripMs: percentiles(r.run.roundTripsMs),
    cpuMsPerFrame: Object.fromEntries(Object.entries(r.cpuMs).map(([k, v]) => [k, v / r.run.frames])),
    ...(r.bytes === undefined
      ? {}
      : { bytesPerFrame: { request: r.bytes.request / r.run.frames, reply: r.bytes.reply / r.run.frames } }),
    ...(r.worker === undefined
      ? {}
      : { worker: { ...r.worker, meanBatchFrames: r.worker.frames / Math.max(1, r.worker.batches) } }),
    ...(r.retries === undefined ? {} : { retries: r.retries, failures: r.failures }),
  }));
  const last = (mode: string) => steps.filter((s) => s.mode === mode).at(-1)!;
  const [local, remote] = [last('local'), last('remote')];
  return {
    steps,
    perFrame: {
      concurrency: remote.concurrency,
      localCpuMs: local.cpuMsPerFrame.edge!,
      edgeCpuMs: remote.cpuMsPerFrame.edge!,
      workerCpuMs: remote.cpuMsPerFrame.worker!,
      natsServerCpuMs: remote.cpuMsPerFrame.natsServer!,
      backboneCpuMs: local.cpuMsPerFrame.edge! - preprocessMs,
      requestBytes: remote.bytesPerFrame!.request,
      replyBytes: remote.bytesPerFrame!.reply,
    },
  };
}

function percentiles(values: readonly number[]) {
  return {
    p50: percentile(values, 50),
    p99: percentile(values, 99),
    max: maxOf(values),
    count: values.length,
  };
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack : error);
  process.exitCode = 1;
});
