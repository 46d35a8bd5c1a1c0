/** A frame rate as a fraction (30000/1001 stays exact). */
export interface FrameRate {
  readonly num: number;
  readonly den: number;
}

export interface EncoderArgsInput {
  readonly file: string;
  readonly frameRate: FrameRate;
  /** Scale to this size; omitted keeps the file's own size. */
  readonly size?: { readonly width: number; readonly height: number };
}

export function framesPerSecond(rate: FrameRate): number {
  return rate.num / rate.den;
}

/**
 * One live H.264 encoder per camera: the file looped in real time, re-encoded to a constant frame rate with
 * one IDR per second, no B-frames, and SPS/PPS repeated before every IDR so a client can join at any IDR.
 * Annex B goes to stdout.
 */
export function encoderArgs(input: EncoderArgsInput): string[] {
  const gop = Math.max(1, Math.round(framesPerSecond(input.frameRate)));
  const filters = [`fps=${input.frameRate.num}/${input.frameRate.den}`];
  if (input.size !== undefined) filters.push(`scale=${input.size.width}:${input.size.height}`);
  filters.push('format=yuv420p');
  return [
    ...loopedInputArgs(input.file),
    '-an',
    '-sn',
    '-dn',
    '-vf',
    filters.join(','),
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-tune',
    'zerolatency',
    '-g',
    String(gop),
    '-keyint_min',
    String(gop),
    '-bf',
    '0',
    '-x264-params',
    'repeat-headers=1',
    '-f',
    'h264',
    '-',
  ];
}

/**
 * The file's own H.264 looped in real time without re-encoding: access units copied, converted to
 * Annex B by the h264 muxer's automatic h264_mp4toannexb (which also puts SPS/PPS in front of every
 * IDR). Not `-bsf:v h264_mp4toannexb`: given explicitly, ffmpeg 5.1 flushes it at the first loop and
 * every later packet fails. Costs a demuxer, not an encoder.
 */
export function passthroughArgs(file: string): string[] {
  return [...loopedInputArgs(file), '-map', '0:v:0', '-an', '-sn', '-dn', '-c:v', 'copy', '-f', 'h264', '-'];
}

/**
 * Whether a camera can pass its file's access units through: H.264 at the file's own size. Anything
 * else (another codec, a resolution-change fault) is re-encoded; so is a file found to use B-frames
 * (their decode order is not presentation order, and the feed times units by arrival).
 */
export function canPassThrough(video: Pick<ProbedVideo, 'codec'>, size: unknown): boolean {
  return video.codec === 'h264' && size === undefined;
}

/** `ffmpeg -i FILE` with no output: prints the stream list to stderr and exits; enough to learn fps and size. */
export function probeArgs(file: string): string[] {
  return ['-hide_banner', '-nostdin', '-i', file];
}

export interface ProbedVideo {
  /** ffmpeg's codec name, e.g. "h264", "hevc", "mpeg4". */
  readonly codec: string;
  readonly width: number;
  readonly height: number;
  readonly frameRate: FrameRate;
}

const ntscRates: ReadonlyMap<string, FrameRate> = new Map([
  ['23.98', { num: 24000, den: 1001 }],
  ['23.976', { num: 24000, den: 1001 }],
  ['29.97', { num: 30000, den: 1001 }],
  ['59.94', { num: 60000, den: 1001 }],
]);

/** Reads the first video stream line of ffmpeg's stream list; undefined when the file has no video. */
export function parseProbeOutput(stderr: string): ProbedVideo | undefined {
  const line = stderr.split('\n').find((l) => /Stream #\d+:\d+.*: Video: /.test(l));
  if (line === undefined) return undefined;
  const size = /, (\d{2,5})x(\d{2,5})[\s,]/.exec(line);
  if (size === null) return undefined;
  const rate = /, (\d+(?:\.\d+)?) fps/.exec(line) ?? /, (\d+(?:\.\d+)?) tbr/.exec(line);
  return {
    codec: /Video: ([\w-]+)/.exec(line)?.[1] ?? 'unknown',
    width: Number(size[1]),
    height: Number(size[2]),
    frameRate: toFrameRate(rate?.[1]),
  };
}

function toFrameRate(text: string | undefined): FrameRate {
  if (text === undefined) return { num: 25, den: 1 };
  const known = ntscRates.get(text);
  if (known !== undefined) return known;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0 || value > 240) return { num: 25, den: 1 };
  if (Number.isInteger(value)) return { num: value, den: 1 };
  return { num: Math.round(value * 1000), den: 1000 };
}

export const clipPatterns = [
  'testsrc2',
  'testsrc',
  'smptebars',
  'smptehdbars',
  'mandelbrot',
  'rgbtestsrc',
  'life',
] as const;
export type ClipPattern = (typeof clipPatterns)[number];

export interface ClipArgsInput {
  readonly out: string;
  readonly width: number;
  readonly height: number;
  readonly fps: number;
  readonly seconds: number;
  readonly pattern: ClipPattern;
}

/**
 * A synthetic H.264 clip from an ffmpeg lavfi source; one IDR per second so it loops cleanly, no B-frames
 * so the simulator can serve it without re-encoding.
 */
export function clipArgs(input: ClipArgsInput): string[] {
  const source = `${input.pattern}=size=${input.width}x${input.height}:rate=${input.fps}`;
  return [
    '-hide_banner',
    '-loglevel',
    'error',
    '-nostdin',
    '-y',
    '-f',
    'lavfi',
    '-i',
    source,
    '-t',
    String(input.seconds),
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    '-pix_fmt',
    'yuv420p',
    '-g',
    String(input.fps),
    '-bf',
    '0',
    '-an',
    '-f',
    'mp4',
    input.out,
  ];
}

/** The file read forever at its own frame rate, as a live camera would send it. */
function loopedInputArgs(file: string): string[] {
  return ['-hide_banner', '-loglevel', 'error', '-nostdin', '-re', '-stream_loop', '-1', '-i', file];
}
