export interface RtpHeader {
  readonly marker: boolean;
  readonly payloadType: number;
  readonly sequence: number;
  readonly timestamp: number;
  readonly ssrc: number;
}

export function parseRtpHeader(packet: Buffer): RtpHeader | undefined {
  if (packet.length < 12 || (packet[0] ?? 0) >> 6 !== 2) return undefined;
  return {
    marker: ((packet[1] ?? 0) & 0x80) !== 0,
    payloadType: (packet[1] ?? 0) & 0x7f,
    sequence: packet.readUInt16BE(2),
    timestamp: packet.readUInt32BE(4),
    ssrc: packet.readUInt32BE(8),
  };
}

/** Length of the fixed header plus CSRCs and any header extension. */
export function rtpHeaderBytes(packet: Buffer): number {
  const csrcCount = (packet[0] ?? 0) & 0x0f;
  let length = 12 + 4 * csrcCount;
  if (((packet[0] ?? 0) & 0x10) !== 0 && packet.length >= length + 4) {
    length += 4 + 4 * packet.readUInt16BE(length + 2);
  }
  return length;
}
