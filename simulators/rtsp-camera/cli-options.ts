import { basename, extname, join } from 'node:path';
import { TsnError } from '../../src/errors/index.js';
import type { ClipPattern } from './media/ffmpeg-args.js';
import type { CameraAuth, CameraSpec, FaultSpec } from './types.js';

/** `--camera NAME=FILE`. */
export function parseCameraOption(text: string): { name: string; file: string } {
  const eq = text.indexOf('=');
  if (eq <= 0 || eq === text.length - 1) {
    throw new TsnError('E_SIM_ARGS', `--camera ${text}: expected NAME=FILE`, { context: { option: text } });
  }
  return { name: text.slice(0, eq), file: text.slice(eq + 1) };
}

/** `--actions NAME=SEED`: a synthetic action camera playing the seed's schedule. */
export function parseActionsOption(text: string): { name: string; seed: number } {
  const match = /^([^=]+)=(\d{1,10})$/.exec(text);
  const seed = Number(match?.[2]);
  if (match === null || seed > 2 ** 31 - 1) {
    throw new TsnError('E_SIM_ARGS', `--actions ${text}: expected NAME=SEED (SEED an integer 0-2147483647)`, {
      context: { option: text },
    });
  }
  return { name: match[1] as string, seed };
}

/** A plain FILE argument is served under its base name without extension. */
export function cameraNameOf(file: string): string {
  return basename(file, extname(file));
}

export interface DefaultClip {
  readonly name: string;
  readonly pattern: ClipPattern;
  readonly width: number;
  readonly height: number;
  readonly fps: number;
  readonly seconds: number;
}

/** What --generate renders when missing: varied content at 360p and one 1080p camera, 10 s, 25 fps. */
export const defaultClips: readonly DefaultClip[] = [
  { name: 'testsrc2-360p', pattern: 'testsrc2', width: 640, height: 360, fps: 25, seconds: 10 },
  { name: 'smptebars-360p', pattern: 'smptebars', width: 640, height: 360, fps: 25, seconds: 10 },
  { name: 'mandelbrot-360p', pattern: 'mandelbrot', width: 640, height: 360, fps: 25, seconds: 10 },
  { name: 'testsrc2-1080p', pattern: 'testsrc2', width: 1920, height: 1080, fps: 25, seconds: 10 },
];

export function clipPath(clipsDir: string, clip: DefaultClip): string {
  return join(clipsDir, `${clip.name}.mp4`);
}

export interface CameraPlanInput {
  readonly files: readonly string[];
  readonly cameraOptions: readonly string[];
  readonly generated: readonly string[];
  readonly auth: CameraAuth | undefined;
  readonly faults: readonly { camera: string; fault: FaultSpec }[];
  /** Rendered action cameras (served after the others). */
  readonly actionCameras?: readonly Pick<CameraSpec, 'name' | 'file' | 'schedule'>[];
  /** Each camera is delayed by staggeredDelayMs(name, staggerMs) (0 or absent: none). */
  readonly staggerMs?: number;
}

/**
 * A camera's delay in [0, staggerMs), drawn from its name: the same every run, spread like the
 * independent phases of real cameras, not an even comb. FNV-1a, then murmur3's finaliser: FNV alone
 * leaves names that differ in one character (cam-1, cam-2) in the same corner of the interval.
 */
export function staggeredDelayMs(name: string, staggerMs: number): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(name, 'utf8')) hash = Math.imul(hash ^ byte, 0x01000193);
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return Math.floor(((hash >>> 0) / 2 ** 32) * staggerMs);
}

/** Turns the command line into camera specs; names must be unique and every fault must name a camera. */
export function planCameras(input: CameraPlanInput): CameraSpec[] {
  const named = [
    ...input.generated.map((file) => ({ name: cameraNameOf(file), file })),
    ...input.files.map((file) => ({ name: cameraNameOf(file), file })),
    ...input.cameraOptions.map(parseCameraOption),
    ...(input.actionCameras ?? []),
  ];
  if (named.length === 0) {
    throw new TsnError(
      'E_SIM_ARGS',
      'no cameras: give video files, --camera NAME=FILE, --actions NAME=SEED, or --generate',
    );
  }
  const specs = named.map(({ name, file, ...rest }) => {
    const faults = input.faults
      .filter((f) => f.camera === name)
      .reduce<FaultSpec>((acc, f) => ({ ...acc, ...f.fault }), {});
    const staggerMs = input.staggerMs ?? 0;
    return {
      name,
      file,
      ...rest,
      ...(staggerMs > 0 ? { delayMs: staggeredDelayMs(name, staggerMs) } : {}),
      ...(input.auth ? { auth: input.auth } : {}),
      ...(Object.keys(faults).length > 0 ? { faults } : {}),
    };
  });
  const unknown = input.faults.find((f) => !specs.some((s) => s.name === f.camera));
  if (unknown !== undefined) {
    throw new TsnError('E_SIM_ARGS', `--fault names camera "${unknown.camera}", which is not served`, {
      context: { camera: unknown.camera },
    });
  }
  return specs;
}

export function parseAuthOptions(opts: {
  user?: string;
  password?: string;
  auth?: string;
}): CameraAuth | undefined {
  if (opts.user === undefined && opts.password === undefined) return undefined;
  if (opts.user === undefined || opts.password === undefined) {
    throw new TsnError('E_SIM_ARGS', '--user and --password go together');
  }
  const scheme = opts.auth ?? 'digest';
  if (scheme !== 'basic' && scheme !== 'digest') {
    throw new TsnError('E_SIM_ARGS', `--auth ${scheme}: expected basic or digest`);
  }
  return { username: opts.user, password: opts.password, scheme };
}
