// Command line of npm run bench:pipeline:rig.
import { parseArgs } from 'node:util';
import type { Resolution } from './clips.js';
import type { FrameClockMode, Phase, ReuseMode } from './rig.js';

export interface BenchFlags {
  readonly quick: boolean;
  readonly resolutions: readonly Resolution[];
  readonly modes: readonly ReuseMode[];
  readonly reuseCameras: readonly number[];
  readonly recomputeCameras: readonly number[];
  readonly warmupSeconds: number;
  readonly measureSeconds: number;
  readonly threads: number;
  readonly sampleFps: number;
  readonly phase: Phase;
  readonly frameClock: FrameClockMode;
  /** Encoders (simulator cameras) the benchmark cameras are spread over, per resolution. */
  readonly feeds: number;
  /** Overrides of the service's batching defaults (segment frames per call, wait for a fuller batch). */
  readonly batching: {
    readonly maxBatch?: number;
    readonly maxWaitMs?: number;
    readonly maxInFlight?: number;
  };
  readonly clipsDir: string;
  /** Keep stepping after a step fell behind (to draw the whole curve). */
  readonly keepGoing: boolean;
  readonly write: boolean;
  /** Where pipeline.json and pipeline.svg go. */
  readonly outDir: string;
}

export const usage = `npm run bench:pipeline:rig -- [options]
  --quick                    N = 1, 2 at 360p, short steps: proves the rig end to end
  --resolution 360p|1080p|both   (default both; quick: 360p)
  --modes reuse,recompute    which pipelines to measure (default both)
  --cameras 1,2,4,...        camera counts with feature reuse (default 1,2,4,8,12,16,20,24,28,32)
  --recompute-cameras 1,2,.. camera counts without reuse (default 1,2,3,4,5,6,8,10,12)
  --warmup S                 seconds after every camera's first prediction (default 10)
  --seconds S                measured seconds per step (default 25)
  --threads N                onnxruntime intra-op threads (default 2)
  --sample-fps F             frames/s ffmpeg hands over (default 4, the service default)
  --phase spread|aligned     segment grids spread over one segment (default) or all on the same instant
  --frame-clock arrival|source   latency from each frame's arrival (default) or the source's wall time
  --max-batch B / --max-wait-ms W / --max-in-flight K
                             batching (default: the service's, 8 frames / 50 ms / 1 call)
  --feeds K                  simulator encoders per resolution the cameras share (default 1)
  --keep-going               do not stop at the first step that falls behind
  --no-write                 print only; do not write pipeline.{json,svg}
  --out DIR                  where pipeline.{json,svg} go (default bench/results)
  --clips-dir DIR            where the rendered clips are cached (default .cache/bench-clips)`;

export function parseBenchFlags(argv: readonly string[]): BenchFlags {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      quick: { type: 'boolean', default: false },
      resolution: { type: 'string' },
      modes: { type: 'string', default: 'reuse,recompute' },
      cameras: { type: 'string' },
      'recompute-cameras': { type: 'string' },
      warmup: { type: 'string' },
      seconds: { type: 'string' },
      threads: { type: 'string', default: '2' },
      'sample-fps': { type: 'string', default: '4' },
      phase: { type: 'string', default: 'spread' },
      'frame-clock': { type: 'string', default: 'arrival' },
      feeds: { type: 'string', default: '1' },
      'max-batch': { type: 'string' },
      'max-wait-ms': { type: 'string' },
      'max-in-flight': { type: 'string' },
      'keep-going': { type: 'boolean', default: false },
      'no-write': { type: 'boolean', default: false },
      'clips-dir': { type: 'string', default: '.cache/bench-clips' },
      out: { type: 'string', default: 'bench/results' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
  const quick = values.quick;
  const resolution = values.resolution ?? (quick ? '360p' : 'both');
  if (!['360p', '1080p', 'both'].includes(resolution))
    fail(`--resolution ${resolution}: use 360p, 1080p or both`);
  const modes = values.modes.split(',').map((m) => m.trim());
  if (modes.length === 0 || modes.some((m) => m !== 'reuse' && m !== 'recompute'))
    fail(`--modes ${values.modes}: use reuse, recompute or reuse,recompute`);
  const phase = values.phase;
  if (phase !== 'spread' && phase !== 'aligned') fail(`--phase ${phase}: use spread or aligned`);
  const frameClock = values['frame-clock'];
  if (frameClock !== 'arrival' && frameClock !== 'source')
    fail(`--frame-clock ${frameClock}: use arrival or source`);
  return {
    quick,
    resolutions: resolution === 'both' ? ['360p', '1080p'] : [resolution as Resolution],
    modes: modes as ReuseMode[],
    reuseCameras: counts('--cameras', values.cameras ?? (quick ? '1,2' : '1,2,4,8,12,16,20,24,28,32')),
    recomputeCameras: counts(
      '--recompute-cameras',
      values['recompute-cameras'] ?? (quick ? '1,2' : '1,2,3,4,5,6,8,10,12'),
    ),
    warmupSeconds: positive('--warmup', values.warmup ?? (quick ? '2' : '10'), true),
    measureSeconds: positive('--seconds', values.seconds ?? (quick ? '6' : '25')),
    threads: integer('--threads', values.threads),
    sampleFps: positive('--sample-fps', values['sample-fps']),
    phase,
    frameClock,
    feeds: Math.max(1, integer('--feeds', values.feeds)),
    batching: {
      ...(values['max-batch'] === undefined ? {} : { maxBatch: integer('--max-batch', values['max-batch']) }),
      ...(values['max-wait-ms'] === undefined
        ? {}
        : { maxWaitMs: integer('--max-wait-ms', values['max-wait-ms']) }),
      ...(values['max-in-flight'] === undefined
        ? {}
        : { maxInFlight: integer('--max-in-flight', values['max-in-flight']) }),
    },
    clipsDir: values['clips-dir'],
    keepGoing: values['keep-going'],
    write: !values['no-write'],
    outDir: values.out,
  };
}

function counts(flag: string, text: string): number[] {
  const list = text.split(',').map((s) => integer(flag, s.trim()));
  if (list.some((n) => n < 1)) fail(`${flag} ${text}: camera counts must be >= 1`);
  return [...new Set(list)].sort((a, b) => a - b);
}

function integer(flag: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) fail(`${flag} ${text}: expected a whole number`);
  return n;
}

function positive(flag: string, text: string, allowZero = false): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0 || (!allowZero && n === 0))
    fail(`${flag} ${text}: expected a positive number`);
  return n;
}

function fail(message: string): never {
  console.error(`bench:pipeline:rig: ${message}\n\n${usage}`);
  process.exit(2);
}
