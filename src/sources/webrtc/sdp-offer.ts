// Checks a WHIP offer before any peer connection exists, so a bad one is a 400 that says what is wrong
// (RFC 9725 leaves the body of an error to us). Pure: text in, a summary or a TsnError out.
import { TsnError } from '../../errors/index.js';
import type { VideoCodec } from './ivf.js';

export interface OfferSummary {
  /** Codecs of the first video m-line that we can decode, in the offer's order of preference. */
  readonly videoCodecs: readonly VideoCodec[];
  readonly hasAudio: boolean;
}

const maxOfferBytes = 64 * 1024;

export function checkWhipOffer(sdp: string, cameraId: string): OfferSummary {
  const context = { camera: cameraId };
  if (sdp.length > maxOfferBytes) throw sdpError(`the offer is larger than ${maxOfferBytes} bytes`, context);
  const lines = sdp.split(/\r?\n/).filter((l) => l.length > 0);
  if (lines[0]?.trim() !== 'v=0') {
    throw sdpError(
      'the body is not an SDP offer (it must start with "v=0"); send Content-Type application/sdp',
      context,
    );
  }
  const sections = mediaSections(lines);
  const video = sections.find((s) => s.kind === 'video' && s.port !== '0');
  if (video === undefined)
    throw sdpError('the offer has no (enabled) video m-line; add a video track', context);
  const codecs = decodableCodecs(video.lines);
  if (codecs.length === 0) {
    throw sdpError(
      'the video m-line offers no codec this service decodes; offer H264 with packetization-mode=1, or VP8',
      context,
    );
  }
  return { videoCodecs: codecs, hasAudio: sections.some((s) => s.kind === 'audio') };
}

interface MediaSection {
  readonly kind: string;
  readonly port: string;
  readonly lines: string[];
}

function mediaSections(lines: readonly string[]): MediaSection[] {
  const sections: MediaSection[] = [];
  for (const line of lines) {
    const m = /^m=(\w+) (\d+)/.exec(line);
    if (m !== null) sections.push({ kind: m[1] as string, port: m[2] as string, lines: [] });
    else sections.at(-1)?.lines.push(line.trim());
  }
  return sections;
}

function decodableCodecs(lines: readonly string[]): VideoCodec[] {
  const fmtp = new Map<string, string>();
  for (const line of lines) {
    const m = /^a=fmtp:(\d+) (.*)$/.exec(line);
    if (m !== null) fmtp.set(m[1] as string, m[2] as string);
  }
  const found: VideoCodec[] = [];
  for (const line of lines) {
    const m = /^a=rtpmap:(\d+) ([^/]+)\/90000/i.exec(line);
    if (m === null) continue;
    const name = (m[2] as string).toUpperCase();
    const params = fmtp.get(m[1] as string) ?? '';
    if (name === 'VP8' && !found.includes('vp8')) found.push('vp8');
    if (name === 'H264' && /packetization-mode=1/.test(params) && !found.includes('h264')) found.push('h264');
  }
  return found;
}

function sdpError(message: string, context: Record<string, unknown>): TsnError {
  return new TsnError('E_WHIP_SDP', `WHIP offer for camera ${String(context.camera)}: ${message}`, {
    context,
  });
}
