// ffmpeg argument lists for the live view: one RTSP (or file) input, fragmented MP4 on stdout. Pure, so the
// exact arguments are golden-tested. Never a shell string: each argument is one array element.

export type LiveMode = 'copy' | 'transcode';

export interface LiveArgsInput {
  /** rtsp:// URL (credentials allowed: argv never reaches logs) or a local file (tests). */
  readonly input: string;
  /**
   * copy: the camera's H.264 passes through untouched (near zero CPU; needs an H.264 camera).
   * transcode: H.264 baseline at `height` lines, one keyframe per second (any input codec).
   */
  readonly mode: LiveMode;
  readonly rtspTransport?: 'tcp' | 'udp';
  /** transcode only: output height in lines (width follows, even). Default 360. */
  readonly height?: number;
  /** transcode only: output frame rate. Default 15. */
  readonly fps?: number;
  /** Loop a file input in real time (tests, bench). */
  readonly loopFile?: boolean;
}

export function liveViewArgs(options: LiveArgsInput): string[] {
  const isRtsp = /^rtsps?:\/\//i.test(options.input);
  const input = [
    ...['-hide_banner', '-loglevel', 'error', '-nostdin'],
    ...(isRtsp ? ['-rtsp_transport', options.rtspTransport ?? 'tcp'] : []),
    ...(isRtsp ? [] : options.loopFile ? ['-re', '-stream_loop', '-1'] : ['-re']),
    // A live stream's parameters are in its first keyframe: a short probe starts the view seconds sooner.
    ...['-fflags', 'nobuffer', '-probesize', '32768', '-analyzeduration', '500000', '-i', options.input],
    ...['-map', '0:v:0', '-an', '-sn', '-dn'],
  ];
  return [...input, ...codecArgs(options), ...fragmentedMp4Args()];
}

function codecArgs(options: LiveArgsInput): string[] {
  if (options.mode === 'copy') return ['-c:v', 'copy'];
  const height = options.height ?? 360;
  const fps = options.fps ?? 15;
  return [
    ...['-vf', `fps=${fps},scale=-2:${height},format=yuv420p`],
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency'],
    ...['-profile:v', 'baseline', '-g', String(fps), '-keyint_min', String(fps), '-bf', '0'],
  ];
}

/**
 * One fragment per keyframe, an empty moov up front: every fragment can start a viewer, so a viewer who
 * joins late waits at most one GOP and needs nothing but the init segment.
 */
function fragmentedMp4Args(): string[] {
  return [...['-movflags', 'frag_keyframe+empty_moov+default_base_moof'], ...['-f', 'mp4', 'pipe:1']];
}
