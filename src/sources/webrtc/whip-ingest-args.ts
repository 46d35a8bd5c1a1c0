import { ffmpeg51, passthroughTimingArgs, type FfmpegCapabilities } from '../ffmpeg-capabilities.js';
import { geometryFilters } from '../geometry.js';
import { rawFramesToStdout } from '../ingest-args.js';
import type { OutputGeometry } from '../options.js';

export interface WhipIngestArgsOptions {
  readonly sampleFps: number;
  readonly output: Required<OutputGeometry>;
  readonly capabilities?: FfmpegCapabilities;
}

/**
 * ffmpeg's argv for one WHIP publisher: IVF on stdin (frames stamped with their RTP times, 90 kHz), the
 * same fps selection and geometry as every other source, rgb24 frames on stdout. Because the timestamps
 * are the sender's, the fps filter picks frames by the camera's own clock, exactly as for RTSP, and a
 * frame's stream time on stdout is its index / sampleFps (FrameClock).
 *
 * The IVF header names the codec and the decoder reads the size from the first keyframe, so probing is
 * cut to the minimum: the first frame comes out as soon as it is decoded.
 */
export function buildWhipIngestArgs(options: WhipIngestArgsOptions): string[] {
  const caps = options.capabilities ?? ffmpeg51;
  return [
    ...['-hide_banner', '-nostats', '-loglevel', 'level+warning'],
    ...['-probesize', '32', '-analyzeduration', '0'],
    ...['-fflags', '+discardcorrupt+nobuffer', '-flags', 'low_delay'],
    // Only stdin: the IVF stream is the publisher's, and no demuxer may open anything else for it.
    ...['-protocol_whitelist', 'pipe', '-f', 'ivf', '-i', 'pipe:0'],
    ...['-map', '0:v:0', '-an', '-sn', '-dn'],
    ...['-vf', [`fps=${formatNumber(options.sampleFps)}`, ...geometryFilters(options.output)].join(',')],
    ...passthroughTimingArgs(caps),
    ...rawFramesToStdout,
  ];
}

function formatNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Number(value.toFixed(6)));
}
