// The few MPEG-TS fields the decode gate reads (ISO/IEC 13818-1 2.4.3): which stream a 188-byte packet
// belongs to, whether an access unit starts in it, whether that unit is a random access point (ffmpeg's
// muxer flags keyframes so), and the unit's PTS. Pure functions over one packet; no buffering.

export const TS_PACKET_BYTES = 188;
const SYNC_BYTE = 0x47;
const PTS_WRAP = 2 ** 33;

export interface TsPacketHeader {
  readonly pid: number;
  /** payload_unit_start_indicator: a PES packet (for video: one access unit) starts here. */
  readonly unitStart: boolean;
  /** The adaptation field's random_access_indicator: the unit starting here is a keyframe. */
  readonly randomAccess: boolean;
  readonly hasPayload: boolean;
  /** 90 kHz PTS of the PES packet starting here, when there is one. */
  readonly pts90k: number | undefined;
}

/** undefined when the packet does not start with the sync byte (the stream lost its framing). */
export function readTsPacket(packet: Uint8Array): TsPacketHeader | undefined {
  if (packet.length < TS_PACKET_BYTES || packet[0] !== SYNC_BYTE) return undefined;
  const b1 = packet[1] ?? 0;
  const b3 = packet[3] ?? 0;
  const unitStart = (b1 & 0x40) !== 0;
  const adaptation = (b3 & 0x20) !== 0;
  const hasPayload = (b3 & 0x10) !== 0;
  const adaptationBytes = adaptation ? 1 + (packet[4] ?? 0) : 0;
  const randomAccess = adaptation && (packet[4] ?? 0) > 0 && ((packet[5] ?? 0) & 0x40) !== 0;
  const payloadAt = 4 + adaptationBytes;
  return {
    pid: ((b1 & 0x1f) << 8) | (packet[2] ?? 0),
    unitStart,
    randomAccess,
    hasPayload,
    pts90k: unitStart && hasPayload ? pesPts(packet, payloadAt) : undefined,
  };
}

/** Rewrites the 4-bit continuity counter, so a demuxer downstream does not see dropped units as loss. */
export function setContinuityCounter(packet: Uint8Array, counter: number): void {
  packet[3] = ((packet[3] ?? 0) & 0xf0) | (counter & 0x0f);
}

/** The same packet but for its continuity counter (a muxer's repeated PAT/PMT/SDT). */
export function samePacketButContinuity(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length < TS_PACKET_BYTES || b.length < TS_PACKET_BYTES) return false;
  if (((a[3] ?? 0) & 0xf0) !== ((b[3] ?? 0) & 0xf0)) return false;
  for (let i = 0; i < TS_PACKET_BYTES; i++) if (i !== 3 && a[i] !== b[i]) return false;
  return true;
}

/** `pts` unwrapped past the 33-bit wrap (every 26.5 h) so it keeps increasing after `previous`. */
export function unwrapPts(pts90k: number, previous: number | undefined): number {
  if (previous === undefined) return pts90k;
  const base = previous - (previous % PTS_WRAP);
  const candidates = [base - PTS_WRAP + pts90k, base + pts90k, base + PTS_WRAP + pts90k];
  let best = base + pts90k;
  for (const c of candidates) if (Math.abs(c - previous) < Math.abs(best - previous)) best = c;
  return best;
}

function pesPts(packet: Uint8Array, at: number): number | undefined {
  // packet_start_code_prefix 00 00 01, stream_id, PES_packet_length (2), flags (2), header length.
  if (at + 14 > TS_PACKET_BYTES) return undefined;
  if (packet[at] !== 0 || packet[at + 1] !== 0 || packet[at + 2] !== 1) return undefined;
  const ptsDtsFlags = ((packet[at + 7] ?? 0) >> 6) & 0x3;
  if ((ptsDtsFlags & 0x2) === 0) return undefined;
  const p = at + 9;
  const b = (i: number): number => packet[p + i] ?? 0;
  // 33 bits over 5 bytes with marker bits; multiplications keep the top bits past 32-bit arithmetic.
  return ((b(0) >> 1) & 0x07) * 2 ** 30 + (b(1) << 22) + ((b(2) >> 1) << 15) + (b(3) << 7) + (b(4) >> 1);
}
