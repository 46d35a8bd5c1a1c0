// The input half of every ffmpeg that opens a camera (recognition ingest, live view): the protocols the
// source table allows for it (-protocol_whitelist) and the target as ffmpeg must see it. One builder, so
// the live view can never open more than the recognition ingest may.
import { fileURLToPath } from 'node:url';
import type { FfmpegTarget } from './registry.js';

/** What an ffmpeg input needs from the source table (sources/registry.ts). */
export type FfmpegInput = Pick<FfmpegTarget, 'kind' | 'input' | 'protocolWhitelist'>;

/**
 * `-protocol_whitelist W <inputOptions> -i TARGET`: the whitelist covers the input and anything it names
 * (HLS segments, RTP ports); the input options go between it and -i.
 */
export function sourceInputArgs(source: FfmpegInput, inputOptions: readonly string[]): string[] {
  return [
    ...['-protocol_whitelist', source.protocolWhitelist],
    ...inputOptions,
    ...['-i', inputTarget(source)],
  ];
}

/** Files go through the file: protocol so a name with a colon is never taken for a protocol. */
function inputTarget(source: FfmpegInput): string {
  if (source.kind !== 'file') return source.input;
  const path = /^file:\/\//i.test(source.input) ? fileURLToPath(source.input) : source.input;
  return `file:${path}`;
}
