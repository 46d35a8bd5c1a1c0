// Where the per-camera decode goes, and which ffmpeg options cut it (bench:ingest --variants). Each
// variant is the production ingest argv (buildIngestArgs) with one change; ffmpeg decodes the whole
// footage file as fast as it can (no -re: CPU per video second is the same, the run is shorter) and
// reports its own user+system time (-benchmark). The frames it writes are hashed: a variant whose
// output is byte-identical to production's keeps logits identical (parity holds by construction);
// one that differs would need the parity tests (test/integration/parity) before adoption.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { bundledFfmpeg } from '../../src/config/ffmpeg-path.js';
import { buildIngestArgs, type IngestArgsOptions } from '../../src/sources/ingest-args.js';
import { defaultOutput } from '../../src/sources/options.js';
import { probeFfmpegCapabilities } from '../../src/sources/probe.js';

export interface Variant {
  readonly name: string;
  /** Why it might be cheaper. */
  readonly why: string;
  edit(args: string[]): string[];
  /** Run by the static ffmpeg bundled in @ffmpeg-installer/ffmpeg instead of the one measured. */
  readonly bundledBinary?: true;
}

const replaceAt = (args: string[], flag: string, value: string): string[] => {
  const i = args.indexOf(flag);
  return i < 0 ? args : [...args.slice(0, i + 1), value, ...args.slice(i + 2)];
};
const beforeInput = (args: string[], extra: string[]): string[] => {
  const i = args.indexOf('-i');
  return [...args.slice(0, i), ...extra, ...args.slice(i)];
};
const editFilter = (args: string[], edit: (vf: string) => string): string[] => {
  const i = args.indexOf('-vf');
  return replaceAt(args, '-vf', edit(args[i + 1] ?? ''));
};

export const VARIANTS: readonly Variant[] = [
  { name: 'production', why: 'buildIngestArgs as shipped', edit: (a) => a },
  {
    name: 'threads 2',
    why: 'frame threads: CPU spread, not cut',
    edit: (a) => replaceAt(a, '-threads', '2'),
  },
  { name: 'threads auto', why: "ffmpeg's default (cores + 1)", edit: (a) => replaceAt(a, '-threads', '0') },
  {
    name: 'flags2 +fast',
    why: 'decoder speed-ups that may not be bit-exact',
    edit: (a) => beforeInput(a, ['-flags2', '+fast']),
  },
  {
    name: 'scale fast_bilinear',
    why: 'cheaper resize at equal output size (changes pixels)',
    edit: (a) => editFilter(a, (vf) => vf.replace('flags=bilinear', 'flags=fast_bilinear')),
  },
  {
    name: 'scale before fps',
    why: 'the wrong order, for scale: converts every decoded frame',
    edit: (a) =>
      editFilter(a, (vf) => {
        const [fps, ...rest] = vf.split(',');
        return [...rest, fps].join(',');
      }),
  },
  {
    name: 'skip_loop_filter all',
    why: 'no deblocking (changes pixels)',
    edit: (a) => beforeInput(a, ['-skip_loop_filter', 'all']),
  },
  {
    name: 'bundled static ffmpeg',
    why: "the same argv run by @ffmpeg-installer's static build instead of the system's",
    edit: (a) => a,
    bundledBinary: true,
  },
  {
    name: 'skip_frame noref',
    why: 'skips non-reference frames (sampled frames may change)',
    edit: (a) => beforeInput(a, ['-skip_frame', 'noref']),
  },
  {
    name: 'skip_frame nokey',
    why: "keyframes only (a camera's decode: keyframes; other frames are sampled)",
    edit: (a) => beforeInput(a, ['-skip_frame', 'nokey']),
  },
];

export interface VariantRow {
  readonly input: string;
  readonly variant: string;
  readonly why: string;
  /** ffmpeg's CPU seconds (user + system) per second of video. */
  readonly cpuPerVideoSecond: number;
  readonly framesOut: number;
  /** Frames written are byte-identical to production's (same logits). */
  readonly sameOutput: boolean;
  /** Mean |difference| of output bytes against production's (0..255), when they differ. */
  readonly meanAbsDiff: number;
}

interface Run {
  readonly cpuSeconds: number;
  readonly output: Buffer;
}

function runFfmpeg(ffmpeg: string, args: readonly string[]): Run {
  const withBenchmark = [...replaceAt([...args], '-loglevel', 'info'), '-benchmark'];
  // -benchmark belongs before the output: put it ahead of `-f rawvideo ... pipe:1`.
  const out = withBenchmark.pop() as string;
  const f = withBenchmark.lastIndexOf('-f');
  const argv = [...withBenchmark.slice(0, f), out, ...withBenchmark.slice(f)];
  const r = spawnSync(ffmpeg, argv, { maxBuffer: 2 ** 30 });
  const stderr = r.stderr.toString();
  if (r.status !== 0) throw new Error(`ffmpeg ${argv.join(' ')} failed: ${stderr.slice(-500)}`);
  const m = /bench: utime=([\d.]+)s stime=([\d.]+)s/.exec(stderr);
  if (m === null) throw new Error(`no -benchmark line from ffmpeg: ${stderr.slice(-300)}`);
  return { cpuSeconds: Number(m[1]) + Number(m[2]), output: r.stdout };
}

function meanAbsDiff(a: Buffer, b: Buffer): number {
  const n = Math.min(a.length, b.length);
  if (n === 0) return NaN;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += Math.abs((a[i] as number) - (b[i] as number));
  return sum / n;
}

export function measureVariants(
  ffmpeg: string,
  input: { name: string; file: string; seconds: number },
  sampleFps: number,
  repeats: number,
): VariantRow[] {
  const options: IngestArgsOptions = {
    kind: 'file',
    input: input.file,
    protocolWhitelist: 'file',
    sampleFps,
    output: defaultOutput,
    rtspTransport: 'tcp',
    hwaccel: 'none',
    ioTimeoutMs: 5000,
    loop: false,
    realtime: false,
  };
  const production = buildIngestArgs(options);
  const bundled = bundledBuild(options);
  let reference: Buffer | undefined;
  const rows: VariantRow[] = [];
  for (const v of VARIANTS) {
    if (v.bundledBinary === true && bundled === undefined) continue;
    const [binary, argv] = v.bundledBinary === true && bundled ? bundled : [ffmpeg, production];
    const runs = Array.from({ length: repeats }, () => runFfmpeg(binary, v.edit([...argv])));
    // The least CPU of the repeats: other load on a shared machine only ever adds.
    const cpu = Math.min(...runs.map((r) => r.cpuSeconds));
    const output = runs[0]?.output ?? Buffer.alloc(0);
    reference ??= output;
    const same = hash(output) === hash(reference);
    rows.push({
      input: input.name,
      variant: v.name,
      why: v.why,
      cpuPerVideoSecond: Number((cpu / input.seconds).toFixed(4)),
      framesOut: output.length / (224 * 224 * 3),
      sameOutput: same,
      meanAbsDiff: same ? 0 : Number(meanAbsDiff(output, reference).toFixed(3)),
    });
  }
  return rows;
}

/** The bundled ffmpeg and the production argv spelled for its release (option names differ). */
function bundledBuild(options: IngestArgsOptions): [string, string[]] | undefined {
  const bundled = bundledFfmpeg();
  if (bundled === undefined) return undefined;
  const capabilities = probeFfmpegCapabilities(bundled.path);
  return [bundled.path, buildIngestArgs({ ...options, capabilities })];
}

function hash(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}
