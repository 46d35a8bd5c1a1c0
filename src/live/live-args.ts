// ffmpeg argument lists for the live view: one RTSP (or file) input, fragmented MP4 on stdout. Pure, so the
// exact arguments are golden-tested. Never a shell string: each argument is one array element.
import { sourceInputArgs, type FfmpegInput } from '../sources/input-args.js';

export type LiveMode = 'copy' | 'transcode';

export interface LiveArgsInput {
  /**
   * The camera as the source table resolved it (sources/registry.ts): kind, what ffmpeg opens (credentials
   * allowed: argv never reaches logs) and the protocols it may use, the same as the recognition ingest's.
   */
  readonly source: FfmpegInput;
  /**
   * copy: the camera's H.264 passes through untouched (near zero CPU; needs an H.264 camera).
   * transcode: H.264 baseline at `height` lines, one keyframe per second, at most 1.5 Mbit/s at 360 lines
   * (any input codec).
   */
  readonly mode: LiveMode;
  readonly rtspTransport?: 'tcp' | 'udp';
  /** transcode only: output height in lines (width follows, even). Default 360. */
  readonly height?: number;
  /** transcode only: output frame rate. Default 15. */
  readonly fps?: number;
  /** Loop a file input (tests, bench); files are always read in real time. */
  readonly loopFile?: boolean;
}

export function liveViewArgs(options: LiveArgsInput): string[] {
  const input = sourceInputArgs(options.source, [
    ...kindArgs(options),
    // A live stream's parameters are in its first keyframe: a short probe starts the view seconds sooner.
    ...['-fflags', 'nobuffer', '-probesize', '32768', '-analyzeduration', '500000'],
  ]);
  return [
    ...['-hide_banner', '-loglevel', 'error', '-nostdin'],
    ...input,
    ...['-map', '0:v:0', '-an', '-sn', '-dn'],
    ...codecArgs(options),
    ...fragmentedMp4Args(),
  ];
}

/** Live inputs are read as they come; only a file needs -re to play at its own pace. */
function kindArgs(options: LiveArgsInput): string[] {
  switch (options.source.kind) {
    case 'rtsp':
      return ['-rtsp_transport', options.rtspTransport ?? 'tcp'];
    case 'file':
      return ['-re', ...(options.loopFile === true ? ['-stream_loop', '-1'] : [])];
    case 'url':
      return [];
  }
}

function codecArgs(options: LiveArgsInput): string[] {
  if (options.mode === 'copy') return ['-c:v', 'copy'];
  const height = options.height ?? 360;
  const fps = options.fps ?? 15;
  return [
    ...['-vf', `fps=${fps},scale=-2:${height},format=yuv420p`],
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency'],
    ...['-profile:v', 'baseline', '-g', String(fps), '-keyint_min', String(fps), '-bf', '0'],
    // Quality-driven x264 (crf 23) follows the scene: noise, rain or night grain can take it to several
    // Mbit/s per viewer. A VBV cap keeps a watched camera within what a remote link carries.
    ...['-maxrate', `${maxKbps(height)}k`, '-bufsize', `${maxKbps(height)}k`],
  ];
}

/** 1500 kbit/s at 360 lines (the bench's footage needs ~1200), scaled with the picture's area. */
function maxKbps(height: number): number {
  return Math.round((1500 * (height * height)) / (360 * 360));
}

/**
 * An empty moov up front, then a fragment at every keyframe and at least every FRAGMENT_US: a frame leaves
 * when its fragment closes, so fragments of a whole GOP would hold the first frame of each GOP back by the
 * GOP (bench:live-delay measured ~GOP + 0.1 s). A viewer joining late needs only the init segment: Media
 * Source Extensions drop what comes before the next keyframe.
 */
function fragmentedMp4Args(): string[] {
  return [
    ...['-movflags', 'frag_keyframe+empty_moov+default_base_moof', '-frag_duration', String(FRAGMENT_US)],
    ...['-f', 'mp4', 'pipe:1'],
  ];
}

/** Longest fragment, in microseconds (ffmpeg's -frag_duration unit). */
const FRAGMENT_US = 200_000;
