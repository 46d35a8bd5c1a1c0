// Command line of npm run bench:remote.
import { parseArgs } from 'node:util';
import type { ResNetDepth } from '../../src/model/types.js';

export interface RemoteFlags {
  readonly quick: boolean;
  readonly depth: ResNetDepth;
  /** Requests in flight from the edge (remote) / frames per backbone call (local). */
  readonly concurrency: readonly number[];
  readonly framesPerRequest: number;
  readonly measureMs: number;
  readonly warmupMs: number;
  readonly threads: number;
  /** The worker's batching (the defaults of cluster.infer). */
  readonly maxBatch: number;
  readonly maxWaitMs: number;
  /** Distinct test frames cycled through (and JPEG-encoded for the wire comparison). */
  readonly frameCount: number;
  /** Assumed GPU throughput for the paper model (not measured here). */
  readonly gpuFramesPerSecond: number;
  readonly write: boolean;
}

export const usage = `npm run bench:remote -- [options]
  --quick                 ResNet-18, concurrency 1,4, 2 s steps: proves the bench end to end
  --depth 18|34|50        backbone (default 50: the tsn_k400 checkpoints' compute)
  --concurrency 1,4,8,16  requests in flight from the edge (default 1,4,8,16)
  --frames-per-request N  segment frames per request (default 1: one camera's segment)
  --seconds S             measured seconds per step (default 10)
  --warmup S              unmeasured seconds before each step (default 2)
  --threads N             onnxruntime intra-op threads, local and worker (default 0 = all cores)
  --max-batch B / --max-wait-ms W   the worker's batching (default 16 / 20, cluster.infer's defaults)
  --gpu-fps F             assumed GPU frames/s for the paper model (default 1000; not measured here)
  --no-write              print only; do not write bench/results/remote-infer.json`;

export function parseRemoteFlags(argv: readonly string[]): RemoteFlags {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      quick: { type: 'boolean', default: false },
      depth: { type: 'string' },
      concurrency: { type: 'string' },
      'frames-per-request': { type: 'string', default: '1' },
      seconds: { type: 'string' },
      warmup: { type: 'string' },
      threads: { type: 'string', default: '0' },
      'max-batch': { type: 'string', default: '16' },
      'max-wait-ms': { type: 'string', default: '20' },
      'gpu-fps': { type: 'string', default: '1000' },
      'no-write': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
  const quick = values.quick;
  const num = (name: string, text: string | undefined, fallback: number, min = 0): number => {
    const n = text === undefined ? fallback : Number(text);
    if (!Number.isFinite(n) || n < min)
      throw new Error(`--${name}: expected a number >= ${min}, got ${text}\n${usage}`);
    return n;
  };
  const depth = num('depth', values.depth, quick ? 18 : 50);
  if (![18, 34, 50].includes(depth)) throw new Error(`--depth: 18, 34 or 50\n${usage}`);
  const concurrency = (values.concurrency ?? (quick ? '1,4' : '1,4,8,16'))
    .split(',')
    .map((c) => num('concurrency', c, 1, 1));
  return {
    quick,
    depth: depth as ResNetDepth,
    concurrency,
    framesPerRequest: num('frames-per-request', values['frames-per-request'], 1, 1),
    measureMs: num('seconds', values.seconds, quick ? 2 : 10) * 1000,
    warmupMs: num('warmup', values.warmup, quick ? 0.5 : 2) * 1000,
    threads: num('threads', values.threads, 0),
    maxBatch: num('max-batch', values['max-batch'], 16, 1),
    maxWaitMs: num('max-wait-ms', values['max-wait-ms'], 20),
    frameCount: quick ? 16 : 32,
    gpuFramesPerSecond: num('gpu-fps', values['gpu-fps'], 1000, 1),
    write: !values['no-write'],
  };
}
