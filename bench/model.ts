// Backbone throughput per backend and batch size on a random-weight ResNet, next to the analytic FLOPs.
// npm run bench:model [-- --depth 50 --quick --threads 2 --backends onnx,onnx-int8,tfjs]
// onnx-int8: the same weights as tsn quantize writes them (QDQ graph, onnxruntime's integer kernels).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Backend, BackendName } from '../src/inference/backend.js';
import { createBackend } from '../src/inference/create-backend.js';
import { backboneMacs, resnetPlan, supportedDepths } from '../src/inference/resnet/plan.js';
import { gaussianSource, randomResNetWeights } from '../src/inference/resnet/random-weights.js';
import type { Model, ModelPrecision, ResNetDepth } from '../src/model/types.js';
import { cpuSummary } from './lib/cpu-summary.js';
import { int8Twin } from './lib/int8-model.js';
import { MODEL_FORMAT, MODEL_FORMAT_VERSION } from '../src/model/types.js';
import { parseBenchArgs } from './lib/bench-args.js';

const USAGE = `npm run bench:model -- [options]
  --depth 18|34|50      backbone (default 50)
  --quick               fewer and shorter runs: proves the bench works, not figures
  --threads N           onnxruntime/tfjs threads (default 0 = all cores)
  --backends LIST       any of onnx,onnx-int8,tfjs (default all three)
  --no-pytorch          skip the PyTorch eager baseline (it needs python3-torch python3-torchvision)`;

const INPUT_SIZE = 224;
const NUM_CLASSES = 400;

interface Budget {
  readonly batches: readonly number[];
  /** Measure each batch size for at least this long and at least minRuns runs. */
  readonly minMs: number;
  readonly minRuns: number;
  /**
   * onnxruntime plans memory per input shape, so each batch size gets an untimed run first; tfjs-wasm
   * has no such per-shape cost and one warm-up (batch 1) is enough.
   */
  readonly warmUpEachBatch: boolean;
}

/** tfjs-wasm is ~10x slower than onnxruntime, so it gets one timed run per batch size. */
function budgetFor(backend: BackendName, quick: boolean): Budget {
  const onnx = backend === 'onnx';
  if (quick)
    return { batches: onnx ? [1, 4] : [1], minMs: onnx ? 1500 : 0, minRuns: 1, warmUpEachBatch: true };
  return onnx
    ? { batches: [1, 2, 4, 8, 16], minMs: 5000, minRuns: 3, warmUpEachBatch: true }
    : { batches: [1, 2, 4, 8, 16], minMs: 0, minRuns: 1, warmUpEachBatch: false };
}

/** A backend name as --backends spells it: onnx, onnx-int8 or tfjs. */
type Variant = BackendName | 'onnx-int8';

interface Row {
  readonly backend: BackendName;
  readonly precision: ModelPrecision;
  readonly description: string;
  readonly batch: number;
  readonly runs: number;
  readonly msPerBatch: number;
  readonly framesPerSecond: number;
  readonly gflopPerSecond: number;
}

function randomModel(depth: ResNetDepth): Model {
  const plan = resnetPlan(depth);
  return {
    dir: `memory:resnet${depth}`,
    id: `bench-r${depth}@random`,
    labels: Array.from({ length: NUM_CLASSES }, (_, i) => `class_${i}`),
    weights: randomResNetWeights(depth, NUM_CLASSES, 1),
    manifest: {
      format: MODEL_FORMAT,
      formatVersion: MODEL_FORMAT_VERSION,
      architecture: 'tsn-resnet',
      depth,
      numClasses: NUM_CLASSES,
      featureDim: plan.featureDim,
      inputSize: INPUT_SIZE,
      scaleShortSide: 256,
      mean: [0.485, 0.456, 0.406],
      std: [0.229, 0.224, 0.225],
      defaultNumSeg: 8,
      source: { file: 'random', sha256: '0'.repeat(64), format: 'paddle-pdparams' },
      weightsFile: 'weights.safetensors',
      labelsFile: 'labels.txt',
    },
  };
}

async function measure(
  backend: Backend,
  precision: ModelPrecision,
  batch: number,
  budget: Budget,
  flopPerFrame: number,
): Promise<Row> {
  const rng = gaussianSource(batch);
  const images = new Float32Array(batch * 3 * INPUT_SIZE * INPUT_SIZE).map(() => rng.normal());
  if (budget.warmUpEachBatch) await backend.features(images, batch);
  else if (batch === budget.batches[0]) await backend.features(images.subarray(0, images.length / batch), 1);
  let runs = 0;
  const start = performance.now();
  while (runs < budget.minRuns || performance.now() - start < budget.minMs) {
    await backend.features(images, batch);
    runs++;
  }
  const msPerBatch = (performance.now() - start) / runs;
  const framesPerSecond = (batch * 1000) / msPerBatch;
  return {
    backend: backend.name,
    precision,
    description: backend.description,
    batch,
    runs,
    msPerBatch,
    framesPerSecond,
    gflopPerSecond: (framesPerSecond * flopPerFrame) / 1e9,
  };
}

function printTable(rows: readonly Row[]): void {
  console.log('\nbackend | precision | batch | runs | ms/batch | frames/s | GFLOP/s (fp32-equivalent)');
  console.log('--------|-----------|-------|------|----------|----------|--------');
  for (const r of rows) {
    const cells = [
      r.backend,
      r.precision,
      r.batch,
      r.runs,
      r.msPerBatch.toFixed(1),
      r.framesPerSecond.toFixed(2),
    ];
    console.log(`${cells.join(' | ')} | ${r.gflopPerSecond.toFixed(1)}`);
  }
}

interface PytorchBaseline {
  readonly torch: string;
  readonly threads: number;
  readonly rows: readonly { batch: number; runs: number; framesPerSecond: number }[];
}

/** PyTorch eager on the same architecture and machine, when Debian's python3-torch is installed. */
function pytorchBaseline(depth: ResNetDepth, quick: boolean): PytorchBaseline | undefined {
  const python = '/usr/bin/python3';
  const script = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bench', 'pytorch_eager.py');
  if (!existsSync(python)) return undefined;
  const args = [script, String(depth), quick ? '1' : '1,4,8', quick ? '2' : '8'];
  const run = spawnSync(python, args, { encoding: 'utf8', timeout: 600_000 });
  if (run.status !== 0) {
    console.log(
      `pytorch eager baseline skipped (needs python3-torch python3-torchvision): ${run.stderr.trim().split('\n').at(-1) ?? ''}`,
    );
    return undefined;
  }
  return JSON.parse(run.stdout) as PytorchBaseline;
}

function options(): {
  depth: ResNetDepth;
  quick: boolean;
  threads: number;
  backends: Variant[];
  pytorch: boolean;
} {
  const values = parseBenchArgs('bench:model', USAGE, {
    depth: { type: 'string', default: '50' },
    quick: { type: 'boolean', default: false },
    threads: { type: 'string', default: '0' },
    backends: { type: 'string', default: 'onnx,onnx-int8,tfjs' },
    pytorch: { type: 'boolean', default: true },
    'no-pytorch': { type: 'boolean', default: false },
  });
  const depth = Number(values.depth) as ResNetDepth;
  if (!supportedDepths.includes(depth))
    throw new Error(`--depth must be one of ${supportedDepths.join(', ')}`);
  const known: readonly string[] = ['onnx', 'onnx-int8', 'tfjs'];
  const backends = values.backends.split(',').filter((b): b is Variant => known.includes(b));
  return {
    depth,
    quick: values.quick,
    threads: Number(values.threads),
    backends,
    pytorch: values.pytorch && !values['no-pytorch'],
  };
}

async function main(): Promise<void> {
  const { depth, quick, threads, backends, pytorch } = options();
  const macsPerFrame = backboneMacs(resnetPlan(depth), INPUT_SIZE);
  const flopPerFrame = 2 * macsPerFrame;
  console.log(
    `ResNet-${depth} backbone at ${INPUT_SIZE}x${INPUT_SIZE}: ${(macsPerFrame / 1e9).toFixed(2)} GMAC = ` +
      `${(flopPerFrame / 1e9).toFixed(2)} GFLOP per frame; ${cpus().length} cpus (${cpus()[0]?.model ?? '?'})`,
  );
  const model = randomModel(depth);
  const rows: Row[] = [];
  for (const variant of backends) {
    const name: BackendName = variant === 'tfjs' ? 'tfjs' : 'onnx';
    const precision: ModelPrecision = variant === 'onnx-int8' ? 'int8' : 'fp32';
    const subject = precision === 'int8' ? await int8Twin(model, { threads }) : model;
    const backend = await createBackend(subject, { backend: name, executionProviders: ['cpu'], threads });
    console.log(`${variant}: ${backend.description}`);
    try {
      for (const batch of budgetFor(name, quick).batches) {
        const row = await measure(backend, precision, batch, budgetFor(name, quick), flopPerFrame);
        console.log(`  batch ${batch}: ${row.framesPerSecond.toFixed(2)} frames/s`);
        rows.push(row);
      }
    } finally {
      await backend.close();
    }
  }
  printTable(rows);
  const baseline = pytorch ? pytorchBaseline(depth, quick) : undefined;
  const bestOf = (fps: readonly number[]): number => Math.max(0, ...fps);
  const best = (precision: ModelPrecision): number =>
    bestOf(
      rows.filter((r) => r.backend === 'onnx' && r.precision === precision).map((r) => r.framesPerSecond),
    );
  const onnxBest = best('fp32');
  const int8Best = best('int8');
  const int8OverFp32 = onnxBest > 0 && int8Best > 0 ? int8Best / onnxBest : null;
  if (int8OverFp32 !== null) {
    console.log(
      `onnx int8 best ${int8Best.toFixed(2)} frames/s = ${int8OverFp32.toFixed(2)}x fp32 best ${onnxBest.toFixed(2)} (same run)`,
    );
  }
  const torchBest = baseline ? bestOf(baseline.rows.map((r) => r.framesPerSecond)) : undefined;
  if (baseline && torchBest !== undefined) {
    for (const r of baseline.rows)
      console.log(
        `pytorch ${baseline.torch} eager | ${r.batch} | ${r.runs} | ${r.framesPerSecond.toFixed(2)} frames/s`,
      );
    console.log(
      `onnx best ${onnxBest.toFixed(2)} frames/s = ${(onnxBest / torchBest).toFixed(2)}x pytorch eager best ${torchBest.toFixed(2)}`,
    );
  }
  const out = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bench', 'results', 'model.json');
  mkdirSync(dirname(out), { recursive: true });
  const report = {
    benchmark: 'model',
    date: new Date().toISOString(),
    node: process.version,
    cpu: cpuSummary(),
    depth,
    inputSize: INPUT_SIZE,
    quick,
    threads,
    macsPerFrame,
    gflopPerFrame: flopPerFrame / 1e9,
    rows,
    pytorchEager: baseline ?? null,
    onnxOverPytorch: torchBest ? onnxBest / torchBest : null,
    int8OverFp32,
  };
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\nwrote ${out}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
