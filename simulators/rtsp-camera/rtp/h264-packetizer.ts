/** One RTP payload of an access unit; marker is set on the last packet of the picture (RFC 6184 5.1). */
export interface RtpPayload {
  readonly payload: Buffer;
  readonly marker: boolean;
}

export const defaultMaxPayloadBytes = 1400;
const fuA = 28;

/**
 * RFC 6184 packetization-mode=1 without aggregation: a NAL unit that fits goes alone (single NAL unit
 * packet); a bigger one is cut into FU-A fragments.
 */
export function packetizeAccessUnit(
  nals: readonly Buffer[],
  maxPayloadBytes: number = defaultMaxPayloadBytes,
): RtpPayload[] {
  const payloads: Buffer[] = [];
  for (const nal of nals) {
    if (nal.length <= maxPayloadBytes) payloads.push(nal);
    else payloads.push(...fragmentNal(nal, maxPayloadBytes));
  }
  return payloads.map((payload, i) => ({ payload, marker: i === payloads.length - 1 }));
}

export function fragmentNal(nal: Buffer, maxPayloadBytes: number): Buffer[] {
  const header = nal[0] ?? 0;
  const indicator = (header & 0xe0) | fuA;
  const type = header & 0x1f;
  const body = nal.subarray(1);
  const chunkBytes = maxPayloadBytes - 2;
  const fragments: Buffer[] = [];
  for (let offset = 0; offset < body.length; offset += chunkBytes) {
    const chunk = body.subarray(offset, offset + chunkBytes);
    const start = offset === 0 ? 0x80 : 0;
    const end = offset + chunkBytes >= body.length ? 0x40 : 0;
    fragments.push(Buffer.concat([Buffer.from([indicator, start | end | type]), chunk]));
  }
  return fragments;
}

/** Builds the 12-byte RTP header (version 2, no CSRC, no extension) in front of a payload. */
export function rtpPacket(
  fields: { payloadType: number; marker: boolean; sequence: number; timestamp: number; ssrc: number },
  payload: Buffer,
): Buffer {
  const packet = Buffer.allocUnsafe(12 + payload.length);
  packet[0] = 0x80;
  packet[1] = (fields.marker ? 0x80 : 0) | (fields.payloadType & 0x7f);
  packet.writeUInt16BE(fields.sequence & 0xffff, 2);
  packet.writeUInt32BE(fields.timestamp >>> 0, 4);
  packet.writeUInt32BE(fields.ssrc >>> 0, 8);
  payload.copy(packet, 12);
  return packet;
}
