import { geometryFilters } from './geometry.js';
import {
  ffmpeg51,
  passthroughTimingArgs,
  rtspTimeoutOption,
  type FfmpegCapabilities,
} from './ffmpeg-capabilities.js';
import { sourceInputArgs } from './input-args.js';
import type { DecodeFrames, HwAccel, OutputGeometry, RtspTransport } from './options.js';
import type { SourceKind } from './registry.js';

export interface IngestArgsOptions {
  readonly kind: SourceKind;
  /** The URL or path ffmpeg opens (credentials included: argv goes to ffmpeg, never to a log). */
  readonly input: string;
  /** The protocols ffmpeg may open for this input and anything it names (HLS segments, RTP): registry.ts. */
  readonly protocolWhitelist: string;
  readonly sampleFps: number;
  readonly output: Required<OutputGeometry>;
  readonly rtspTransport: RtspTransport;
  readonly hwaccel: HwAccel;
  readonly hwaccelDevice?: string | undefined;
  /**
   * 'keyframes': the decoder skips all but keyframes (SourceOptions.decode). Default 'all'. 'picked'
   * cameras run buildRelayDemuxArgs and buildRelayDecoderArgs instead.
   */
  readonly decode?: DecodeFrames;
  /** Socket I/O timeout handed to ffmpeg (rtsp and url kinds); capped at maxSocketTimeoutMs. */
  readonly ioTimeoutMs: number;
  readonly loop: boolean;
  readonly realtime: boolean;
  readonly capabilities?: FfmpegCapabilities;
}

/** Packed rgb24 frames on stdout (every kind of source writes them the same way). */
export const rawFramesToStdout: readonly string[] = Object.freeze([
  '-f',
  'rawvideo',
  '-pix_fmt',
  'rgb24',
  'pipe:1',
]);

/**
 * ffmpeg's socket timeout never exceeds this, whatever the camera's timeouts say: an ffmpeg orphaned by
 * a killed service notices its closed stdout only when it writes, so on a silent input this timeout is
 * what ends it.
 */
export const maxSocketTimeoutMs = 30_000;

/**
 * ffmpeg's argv for one camera connection: decode, keep `sampleFps` frames per second (fps filter),
 * scale/crop to the fixed output size, write packed rgb24 frames to stdout.
 *
 * Timestamps: the fps filter emits a constant-rate stream (frame n at start + n / sampleFps, filling gaps
 * by repeating the last picture), and `passthrough` output timing writes exactly the frames it emits. So a
 * frame's stream time is its index on stdout divided by sampleFps: no side channel to parse and keep in
 * step with stdout (see FrameClock).
 */
export function buildIngestArgs(options: IngestArgsOptions): string[] {
  const caps = options.capabilities ?? ffmpeg51;
  return [
    ...['-nostdin', '-hide_banner', '-nostats', '-loglevel', 'level+warning'],
    ...hwaccelArgs(options.hwaccel, options.hwaccelDevice),
    ...sourceInputArgs(options, [
      ...inputArgs(options, caps),
      // One decoding thread: frame threading adds (threads - 1) frames of delay and ~16 MB per 1080p
      // decoder for no CPU saved at these rates (bench:ingest); many cameras share the cores anyway.
      ...['-threads', '1'],
      ...(options.decode === 'keyframes' ? ['-skip_frame', 'nokey'] : []),
    ]),
    ...['-map', '0:v:0', '-an', '-sn', '-dn'],
    ...['-vf', [fpsFilter(options), ...geometryFilters(options.output)].join(',')],
    ...passthroughTimingArgs(caps),
    ...rawFramesToStdout,
  ];
}

/**
 * With keyframes only, the last decoded picture of a file is a keyframe that the fps filter would drop
 * at the end of the stream (it ends the stream at that picture's own timestamp): `eof_action=pass` keeps it.
 */
function fpsFilter(options: IngestArgsOptions): string {
  const fps = `fps=${formatNumber(options.sampleFps)}`;
  return options.decode === 'keyframes' ? `${fps}:eof_action=pass` : fps;
}

/** The MPEG-TS PID the demuxer's one stream (the video) gets: what the decode gate reads. */
export const relayVideoPid = 0x100;

/**
 * decode: picked, first of two processes: the same input as buildIngestArgs, its video packets copied
 * (no decoding) into MPEG-TS on stdout, one flush per packet so none waits in a buffer. The service's
 * decode gate (decode-gate.ts) passes on only what the picks need, to buildRelayDecoderArgs' ffmpeg.
 */
export function buildRelayDemuxArgs(options: IngestArgsOptions): string[] {
  const caps = options.capabilities ?? ffmpeg51;
  return [
    ...['-nostdin', '-hide_banner', '-nostats', '-loglevel', 'level+warning'],
    ...sourceInputArgs(options, inputArgs(options, caps)),
    ...['-map', '0:v:0', '-an', '-sn', '-dn', '-c:v', 'copy'],
    ...['-f', 'mpegts', '-mpegts_start_pid', String(relayVideoPid), '-flush_packets', '1', 'pipe:1'],
  ];
}

/**
 * decode: picked, second process: decodes the gated MPEG-TS from stdin like buildIngestArgs decodes a
 * camera, its timestamps shifted by `ptsShiftSeconds` before the fps filter (0 = the first keyframe, the
 * first unit it gets; DecodeGate.decoderPtsShiftSeconds). A short probe: the first unit is a keyframe,
 * and the default 5 s probe would hold the first frame back by as much.
 */
export function buildRelayDecoderArgs(options: IngestArgsOptions, ptsShiftSeconds: number): string[] {
  const caps = options.capabilities ?? ffmpeg51;
  const shift = `setpts=PTS+${formatNumber(ptsShiftSeconds)}/TB`;
  return [
    ...['-nostdin', '-hide_banner', '-nostats', '-loglevel', 'level+warning'],
    ...hwaccelArgs(options.hwaccel, options.hwaccelDevice),
    ...['-protocol_whitelist', 'pipe', '-f', 'mpegts', '-probesize', '32768', '-analyzeduration', '0'],
    ...['-threads', '1', '-i', 'pipe:0'],
    ...['-map', '0:v:0', '-an', '-sn', '-dn'],
    ...[
      '-vf',
      [shift, `fps=${formatNumber(options.sampleFps)}`, ...geometryFilters(options.output)].join(','),
    ],
    ...passthroughTimingArgs(caps),
    ...rawFramesToStdout,
  ];
}

function inputArgs(options: IngestArgsOptions, caps: FfmpegCapabilities): string[] {
  const ioTimeoutUs = String(Math.round(Math.min(options.ioTimeoutMs, maxSocketTimeoutMs) * 1000));
  switch (options.kind) {
    case 'rtsp':
      return [
        ...['-rtsp_transport', options.rtspTransport],
        ...[rtspTimeoutOption(caps), ioTimeoutUs],
        // Audio and data tracks are never decoded: do not even SET them UP.
        ...['-allowed_media_types', 'video'],
        ...liveFlags(),
      ];
    case 'file':
      return [
        ...(options.realtime ? ['-re'] : []),
        ...(options.loop ? ['-stream_loop', '-1'] : []),
        ...['-fflags', '+genpts+discardcorrupt'],
      ];
    case 'url':
      return [
        ...(isHttp(options.input) ? httpReconnectArgs() : []),
        ...['-rw_timeout', ioTimeoutUs],
        ...liveFlags(),
      ];
  }
}

/**
 * Live inputs: regenerate missing pts, drop corrupt packets, low-delay decoding. Not `nobuffer`: it throws
 * away the packets read while probing, so the decoder waits for the next keyframe (measured: first frame
 * ~1.7 s later against the simulator) and a short HTTP stream yields no frame at all.
 */
function liveFlags(): string[] {
  return ['-fflags', '+genpts+discardcorrupt', '-flags', 'low_delay'];
}

/** ffmpeg's http protocol reconnects by itself within a connection; the supervisor handles the rest. */
function httpReconnectArgs(): string[] {
  return ['-reconnect', '1', '-reconnect_streamed', '1', '-reconnect_delay_max', '5'];
}

function hwaccelArgs(hwaccel: HwAccel, device: string | undefined): string[] {
  if (hwaccel === 'none') return [];
  return ['-hwaccel', hwaccel, ...(device === undefined ? [] : ['-hwaccel_device', device])];
}

function isHttp(url: string): boolean {
  return /^https?:\/\//i.test(url);
}

function formatNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Number(value.toFixed(6)));
}
