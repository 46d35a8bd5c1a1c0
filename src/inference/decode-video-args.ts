import type { Size } from './preprocess/index.js';

// Pure argv builders for whole-file decoding. The decode mirrors the reference's
// `ffmpeg -i VIDEO -map 0:v:0 -f rawvideo -pix_fmt rgb24 -` so the frame count and, for frames that need no
// resize, every byte are the same; only a resize filter is added when the short side is not already 256.

const COMMON = ['-hide_banner', '-nostdin', '-loglevel', 'error'] as const;

/**
 * "file:" keeps ffmpeg from reading a path such as "a:b.mp4" as a protocol. Callers pass an absolute
 * path (the builders stay pure: no cwd lookup here).
 */
export function fileInput(videoPath: string): string {
  return `file:${videoPath}`;
}

/** The file's first video stream, nothing else. */
function firstVideoOf(videoPath: string): string[] {
  return ['-i', fileInput(videoPath), '-map', '0:v:0'];
}

/**
 * Demux only (no decoding): the video packet count, a cheap guess of the decoded frame count, reported on
 * stdout as "-progress" key=value lines. -copyinkf counts packets before the first keyframe too.
 */
export function buildPacketCountArgs(videoPath: string): string[] {
  return [
    ...COMMON,
    '-progress',
    'pipe:1',
    ...firstVideoOf(videoPath),
    '-c:v',
    'copy',
    '-copyinkf',
    '-f',
    'null',
    '-',
  ];
}

/** The first decoded frame as a PPM image on stdout: its header gives the size ffmpeg will output. */
export function buildProbeArgs(videoPath: string): string[] {
  return [
    ...COMMON,
    ...firstVideoOf(videoPath),
    '-frames:v',
    '1',
    '-c:v',
    'ppm',
    '-f',
    'image2pipe',
    'pipe:1',
  ];
}

/**
 * Convert to rgb24 first (the very conversion the reference does), then resize in RGB. swscale's "area"
 * is the closest to cv2 INTER_LINEAR of the variants measured (docs/preprocessing-parity.md): identical to
 * "bilinear" when upscaling, closer than it when downscaling, where cv2 does not widen its 2-tap filter.
 */
export function resizeFilter(target: Size): string {
  return `format=rgb24,scale=${target.width}:${target.height}:flags=area`;
}

export interface DecodeArgsInput {
  readonly videoPath: string;
  /** Size of the decoded frames. */
  readonly source: Size;
  /** Size wanted on stdout; equal to source means no filter at all (bit-exact with the reference). */
  readonly target: Size;
}

export function buildDecodeArgs({ videoPath, source, target }: DecodeArgsInput): string[] {
  const resize =
    source.width === target.width && source.height === target.height ? [] : ['-vf', resizeFilter(target)];
  return [...COMMON, ...firstVideoOf(videoPath), ...resize, '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'];
}
