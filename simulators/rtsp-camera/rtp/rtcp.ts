/** Seconds between 1900-01-01 (NTP epoch) and 1970-01-01 (Unix epoch). */
const ntpEpochOffsetSeconds = 2_208_988_800;

export interface SenderReportFields {
  readonly ssrc: number;
  readonly wallClockMs: number;
  readonly rtpTimestamp: number;
  readonly packetCount: number;
  readonly octetCount: number;
  readonly cname: string;
}

/**
 * A compound RTCP packet: sender report + SDES with CNAME (RFC 3550 6.1 requires both). Receivers map
 * RTP time to wall clock with it.
 */
export function senderReport(fields: SenderReportFields): Buffer {
  const sr = Buffer.alloc(28);
  sr[0] = 0x80;
  sr[1] = 200;
  sr.writeUInt16BE(6, 2);
  sr.writeUInt32BE(fields.ssrc >>> 0, 4);
  const seconds = Math.floor(fields.wallClockMs / 1000);
  const fraction = Math.floor(((fields.wallClockMs % 1000) / 1000) * 2 ** 32);
  sr.writeUInt32BE((seconds + ntpEpochOffsetSeconds) >>> 0, 8);
  sr.writeUInt32BE(fraction >>> 0, 12);
  sr.writeUInt32BE(fields.rtpTimestamp >>> 0, 16);
  sr.writeUInt32BE(fields.packetCount >>> 0, 20);
  sr.writeUInt32BE(fields.octetCount >>> 0, 24);
  return Buffer.concat([sr, sdesCname(fields.ssrc, fields.cname)]);
}

function sdesCname(ssrc: number, cname: string): Buffer {
  const text = Buffer.from(cname.slice(0, 255), 'utf8').subarray(0, 255);
  const itemsBytes = 2 + text.length + 1;
  const paddedBytes = Math.ceil((8 + itemsBytes) / 4) * 4;
  const packet = Buffer.alloc(paddedBytes);
  packet[0] = 0x81;
  packet[1] = 202;
  packet.writeUInt16BE(paddedBytes / 4 - 1, 2);
  packet.writeUInt32BE(ssrc >>> 0, 4);
  packet[8] = 1;
  packet[9] = text.length;
  text.copy(packet, 10);
  return packet;
}
