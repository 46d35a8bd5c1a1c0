// ffmpeg's argv for the WHIP publisher: a file, looped and paced in real time, encoded as a WebRTC camera
// would send it (no B-frames, a keyframe every second, small latency), to stdout.
export type PublisherCodec = 'h264' | 'vp8';

export interface EncoderArgsOptions {
  readonly file: string;
  readonly codec: PublisherCodec;
  readonly fps: number;
  /** Output height (width follows the aspect, even); absent: the file's size. */
  readonly height?: number;
  /** Replay forever (default true). */
  readonly loop?: boolean;
}

export function buildEncoderArgs(options: EncoderArgsOptions): string[] {
  const filters = [
    `fps=${options.fps}`,
    ...(options.height === undefined ? [] : [`scale=-2:${options.height}`]),
  ];
  const gop = String(Math.max(1, Math.round(options.fps)));
  return [
    ...['-nostdin', '-hide_banner', '-loglevel', 'error'],
    '-re',
    ...(options.loop === false ? [] : ['-stream_loop', '-1']),
    ...['-i', `file:${options.file}`],
    ...['-map', '0:v:0', '-an', '-sn', '-dn'],
    ...['-vf', filters.join(','), '-pix_fmt', 'yuv420p'],
    ...(options.codec === 'h264' ? h264Args(gop) : vp8Args(gop)),
    'pipe:1',
  ];
}

function h264Args(gop: string): string[] {
  return [
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-profile:v', 'baseline'],
    ...['-bf', '0', '-g', gop, '-keyint_min', gop, '-sc_threshold', '0'],
    // An AUD before every picture marks access units; headers repeat before every keyframe so a
    // receiver that joins late (or asked with a PLI) can decode from there.
    ...['-x264-params', 'aud=1:repeat-headers=1'],
    ...['-f', 'h264'],
  ];
}

function vp8Args(gop: string): string[] {
  return [
    ...['-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '1M'],
    ...['-g', gop, '-keyint_min', gop, '-auto-alt-ref', '0', '-lag-in-frames', '0'],
    ...['-f', 'ivf'],
  ];
}
