// Flags and presets of bench:pipeline (bench/pipeline-serve.ts). A preset fixes what issue 14 asks the
// bench to show, so a quiet-machine run is one command; explicit flags after it override its values.
import { parseArgs } from 'node:util';
import type { ModelPrecision } from '../../src/model/types.js';
import type { DecodeFrames } from '../../src/sources/options.js';
import type { FootageResolution } from './footage.js';
import { maxDelayMs } from '../../simulators/rtsp-camera/cameras.js';

/**
 * What the service's ffmpeg decodes: `main` the camera's stream at `resolution`; `substream` a 360p
 * substream of the same footage (config `substreamUrl`) while `url` stays the `resolution` main stream
 * (the one the live view would use).
 */
export type IngestMode = 'main' | 'substream';

export type FfmpegChoice = 'system' | 'bundled';

export interface BenchFlags {
  /** One step per entry (a sweep when there are several), each with every precision. */
  readonly cameras: readonly number[];
  readonly seconds: number;
  readonly warmupSeconds: number;
  readonly resolution: FootageResolution;
  readonly ingest: IngestMode;
  readonly precisions: readonly ModelPrecision[];
  readonly threads: number;
  /** Inference workers (config backend.workers; batching.maxInFlight is set to the same). */
  readonly workers: number;
  /**
   * Frames per second the service's ffmpeg hands over (config sampleFps; the segmenter keeps one per
   * 1 s segment). Default 4, the service's default. With 1 s segments, 2 already gives the same picks
   * (a frame on each segment's start and centre; pick paddle takes the centre one) for less conversion,
   * and with decode 'picked' (grid anchored on the centres) 1 does.
   */
  readonly sampleFps: number;
  /**
   * Backbone batches (config batching): up to maxBatch frames, waiting at most maxWaitMs for a fuller one.
   * Default the service's (8 frames / 50 ms).
   */
  readonly maxBatch?: number;
  readonly maxWaitMs?: number;
  /**
   * Which ffmpeg the service decodes with: `system` (the service's default: FFMPEG_PATH, else ffmpeg on
   * PATH) or `bundled` (the static build inside @ffmpeg-installer/ffmpeg). Same frames, byte for byte.
   */
  readonly ffmpeg: FfmpegChoice;
  /**
   * The cameras' `decode` setting: `all` (the service's default), `picked` (only what each segment's
   * centre frame needs) or `keyframes` (decode only keyframes; each picture then reaches the service
   * one keyframe interval late, which the verdict counts).
   */
  readonly decode: DecodeFrames;
  /**
   * Each simulated camera is delayed by up to this many ms (drawn from its name; the simulator's
   * --stagger-ms), so the cameras sharing one footage file have their keyframes out of step, as real
   * cameras do. Default 1000, the footage's keyframe interval; 0 puts every camera's keyframes (and,
   * with decode picked, their picks) in the same instant.
   */
  readonly staggerMs: number;
  readonly pytorch: boolean;
  /**
   * Cameras of the PyTorch recompute peer. Default 2 (what it sustained in issue 14's measurement): at
   * 36 cameras it would not even give every camera one prediction within its 120 s start-up limit.
   */
  readonly pytorchCameras: number;
  /** The preset's name, or 'custom'; names the result file. */
  readonly preset: string;
  /** Only re-render bench/results/pipeline-serve.svg from the JSON files already there. */
  readonly plotOnly: boolean;
}

type PresetValues = Partial<Omit<BenchFlags, 'preset' | 'plotOnly'>>;

/**
 * How the issue 14 presets run the service on 2 cores: one single-threaded inference worker per core
 * (one 2-thread session left 80-170 queue drops at 36 cameras, two 1-thread workers none), batches of up
 * to 4 frames with up to 150 ms of wait (at one thread a frame costs 14 % less in a batch of 4 than
 * alone; 150 ms of wait fits in the 1 s latency bar), the bundled static ffmpeg (byte-identical frames;
 * 36 live ingests alone took 0.89-0.98 core against 1.09-1.11 with Debian's ffmpeg 5.1,
 * docs/inference.md "Ingest"; and it writes each frame at once where 5.1 holds one back), and decode
 * 'picked' (only the frames each segment's centre needs: 36 decoders ~0.6 core against 0.9-1.0,
 * src/sources/README.md) at 1 frame/s: a picked camera's segment grid is anchored on its centres, so the
 * one slot per 1 s segment is the centre, the same pick as at 2 or 4 frames/s for half the scaling and
 * pipe traffic of 2 (36 cameras on a Zen 4: ~0.1 core less ffmpeg and ~0.1 less service). Decoding
 * every frame or keyframes only, the grid is not anchored: those presets sample 2 frames/s (a slot on
 * each segment's start and centre).
 */
const MANY_CAMERAS = {
  threads: 1,
  workers: 2,
  sampleFps: 1,
  maxBatch: 4,
  maxWaitMs: 150,
  ffmpeg: 'bundled',
  decode: 'picked',
} as const;

export const PRESETS: Readonly<Record<string, PresetValues & { readonly describe: string }>> = {
  'int8-360p-36': {
    describe:
      'issue 14: INT8, 36 cameras at 360p (0.8 Mbit/s), 1 prediction/s each; target p99 < 1 s, no drops',
    cameras: [36],
    resolution: '360p',
    ingest: 'main',
    ...MANY_CAMERAS,
    precisions: ['int8'],
    seconds: 60,
    warmupSeconds: 20,
  },
  'int8-1080p-12': {
    describe: 'issue 14: INT8, 12 cameras of 1080p (4 Mbit/s) main streams, recognition on 360p substreams',
    cameras: [12],
    resolution: '1080p',
    ingest: 'substream',
    ...MANY_CAMERAS,
    precisions: ['int8'],
    seconds: 60,
    warmupSeconds: 20,
  },
  'int8-1080p-12-main': {
    describe: 'the same 12 cameras decoding the 1080p main streams (the cheaper-decode-only alternative)',
    cameras: [12],
    resolution: '1080p',
    ingest: 'main',
    ...MANY_CAMERAS,
    precisions: ['int8'],
    seconds: 60,
    warmupSeconds: 20,
  },
  'int8-360p-36-keyframes': {
    describe: 'the 36 cameras of int8-360p-36 decoding keyframes only (camera decode: keyframes, 1 s GOP)',
    cameras: [36],
    resolution: '360p',
    ingest: 'main',
    ...MANY_CAMERAS,
    decode: 'keyframes',
    sampleFps: 2,
    precisions: ['int8'],
    seconds: 60,
    warmupSeconds: 20,
  },
  'int8-360p-36-all': {
    describe: 'the 36 cameras of int8-360p-36 decoding every frame (camera decode: all)',
    cameras: [36],
    resolution: '360p',
    ingest: 'main',
    ...MANY_CAMERAS,
    decode: 'all',
    sampleFps: 2,
    precisions: ['int8'],
    seconds: 60,
    warmupSeconds: 20,
  },
  'sweep-360p': {
    describe: 'FP32 and INT8 at 12, 24, 36, 48 cameras at 360p (the plot)',
    cameras: [12, 24, 36, 48],
    resolution: '360p',
    ingest: 'main',
    ...MANY_CAMERAS,
    precisions: ['fp32', 'int8'],
    seconds: 40,
    warmupSeconds: 15,
  },
  quick: {
    describe: 'proves the bench works: 2 cameras at 360p, short steps',
    cameras: [2],
    resolution: '360p',
    ingest: 'main',
    precisions: ['fp32', 'int8'],
    seconds: 8,
    warmupSeconds: 4,
    pytorchCameras: 1,
  },
};

export const USAGE = `npm run bench:pipeline -- [--preset NAME] [options]
  --preset NAME          ${Object.keys(PRESETS).join(' | ')}
  --cameras N[,N...]     cameras per step (a list sweeps)           default 2
  --seconds S            measured seconds per step                  default 20
  --warmup S             seconds after every camera predicted       default 10
  --resolution 360p|1080p  the cameras' main stream                 default 360p
  --substream            recognition reads a 360p substream (substreamUrl), url stays the main stream
  --precisions fp32,int8                                            default fp32,int8
  --threads N            onnxruntime intra-op threads per worker    default 2 (presets: 1)
  --workers N            inference workers (backend.workers = batching.maxInFlight)  default 1 (presets: 2)
  --sample-fps N         frames/s ffmpeg hands the service (config sampleFps)  default 4 (presets: 1 picked, 2 all/keyframes)
  --max-batch N          frames per backbone call (batching.maxBatch)  default 8 (presets: 4)
  --max-wait-ms MS       wait for a fuller batch (batching.maxWaitMs)  default 50 (presets: 150)
  --ffmpeg system|bundled  the service's ffmpeg: the system one or the static one in
                         @ffmpeg-installer/ffmpeg                    default system (presets: bundled)
  --decode all|picked|keyframes  the cameras' decode setting (picked: only what each segment's
                         centre frame needs; keyframes: only keyframes, the verdict adds the footage's
                         1 s keyframe interval to the latency)  default all
  --stagger-ms MS        delay each simulated camera by up to MS (from its name), so their keyframes
                         are out of step like real cameras'; 0: all in step   default 1000
  --no-pytorch           skip the PyTorch recompute peer
  --pytorch-cameras N    the peer's cameras (same footage, same ingest)  default 2
  --plot-only            re-render bench/results/pipeline-serve.svg from the JSON files there
Presets:
${Object.entries(PRESETS)
  .map(([name, p]) => `  ${name.padEnd(20)} ${p.describe}`)
  .join('\n')}`;

export function parseBenchFlags(argv: readonly string[]): BenchFlags | 'help' {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      preset: { type: 'string' },
      cameras: { type: 'string' },
      seconds: { type: 'string' },
      warmup: { type: 'string' },
      resolution: { type: 'string' },
      substream: { type: 'boolean' },
      precisions: { type: 'string' },
      threads: { type: 'string' },
      workers: { type: 'string' },
      'sample-fps': { type: 'string' },
      'max-batch': { type: 'string' },
      'max-wait-ms': { type: 'string' },
      ffmpeg: { type: 'string' },
      decode: { type: 'string' },
      'stagger-ms': { type: 'string' },
      'no-pytorch': { type: 'boolean', default: false },
      'pytorch-cameras': { type: 'string' },
      'plot-only': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return 'help';
  const name = values.preset ?? 'custom';
  const preset: PresetValues | undefined = values.preset === undefined ? {} : PRESETS[values.preset];
  if (preset === undefined) throw new Error(`unknown --preset ${name}\n${USAGE}`);
  const cameras = values.cameras === undefined ? (preset.cameras ?? [2]) : list(values.cameras).map(count);
  const precisions =
    values.precisions === undefined ? (preset.precisions ?? ['fp32', 'int8']) : list(values.precisions);
  const bad = precisions.filter((p) => p !== 'fp32' && p !== 'int8');
  if (bad.length > 0) throw new Error(`--precisions takes fp32,int8 (got ${bad.join(',')})`);
  const resolution = values.resolution ?? preset.resolution ?? '360p';
  if (resolution !== '360p' && resolution !== '1080p') throw new Error('--resolution is 360p or 1080p');
  const ingest = values.substream === true ? 'substream' : (preset.ingest ?? 'main');
  const ffmpeg = values.ffmpeg ?? preset.ffmpeg ?? 'system';
  if (ffmpeg !== 'system' && ffmpeg !== 'bundled') throw new Error('--ffmpeg is system or bundled');
  const decode = values.decode ?? preset.decode ?? 'all';
  if (decode !== 'all' && decode !== 'picked' && decode !== 'keyframes')
    throw new Error('--decode is all, picked or keyframes');
  const maxBatch = values['max-batch'] === undefined ? preset.maxBatch : count(values['max-batch']);
  const maxWaitMs =
    values['max-wait-ms'] === undefined ? preset.maxWaitMs : milliseconds(values['max-wait-ms']);
  return {
    cameras,
    seconds: values.seconds === undefined ? (preset.seconds ?? 20) : count(values.seconds),
    warmupSeconds: values.warmup === undefined ? (preset.warmupSeconds ?? 10) : Number(values.warmup),
    resolution,
    ingest,
    precisions: precisions as ModelPrecision[],
    threads: values.threads === undefined ? (preset.threads ?? 2) : count(values.threads),
    workers: values.workers === undefined ? (preset.workers ?? 1) : count(values.workers),
    sampleFps: values['sample-fps'] === undefined ? (preset.sampleFps ?? 4) : count(values['sample-fps']),
    ...(maxBatch === undefined ? {} : { maxBatch }),
    ...(maxWaitMs === undefined ? {} : { maxWaitMs }),
    ffmpeg,
    decode,
    staggerMs:
      values['stagger-ms'] === undefined ? (preset.staggerMs ?? 1000) : staggerMs(values['stagger-ms']),
    pytorch: !values['no-pytorch'],
    pytorchCameras:
      values['pytorch-cameras'] === undefined
        ? (preset.pytorchCameras ?? 2)
        : count(values['pytorch-cameras']),
    preset: name,
    plotOnly: values['plot-only'],
  };
}

function list(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** The simulator delays a camera by at most maxDelayMs (CameraSpec.delayMs). */
function staggerMs(value: string): number {
  const ms = milliseconds(value);
  if (ms > maxDelayMs) throw new Error(`--stagger-ms is at most ${maxDelayMs}, got ${value}`);
  return ms;
}

function milliseconds(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`expected milliseconds >= 0, got ${value}`);
  return n;
}

function count(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`expected a positive integer, got ${value}`);
  return n;
}
