import { rtpHeaderBytes } from './rtp-header.js';

/**
 * Rebuilds NAL units from RFC 6184 payloads (single NAL, STAP-A, FU-A). Used by the tests' raw client
 * to check what the simulator sends, independently of the packetizer's own bookkeeping.
 */
export class H264Depacketizer {
  private fragments: Buffer[] = [];

  pushPayload(payload: Buffer): Buffer[] {
    const type = (payload[0] ?? 0) & 0x1f;
    if (type >= 1 && type <= 23) return [payload];
    if (type === 24) return splitStapA(payload);
    if (type !== 28 || payload.length < 2) return [];
    const fuHeader = payload[1] ?? 0;
    if ((fuHeader & 0x80) !== 0) {
      const nalHeader = ((payload[0] ?? 0) & 0xe0) | (fuHeader & 0x1f);
      this.fragments = [Buffer.from([nalHeader])];
    }
    if (this.fragments.length === 0) return [];
    this.fragments.push(payload.subarray(2));
    if ((fuHeader & 0x40) === 0) return [];
    const nal = Buffer.concat(this.fragments);
    this.fragments = [];
    return [nal];
  }

  pushPacket(packet: Buffer): Buffer[] {
    return this.pushPayload(packet.subarray(rtpHeaderBytes(packet)));
  }
}

function splitStapA(payload: Buffer): Buffer[] {
  const nals: Buffer[] = [];
  let offset = 1;
  while (offset + 2 <= payload.length) {
    const size = payload.readUInt16BE(offset);
    nals.push(payload.subarray(offset + 2, offset + 2 + size));
    offset += 2 + size;
  }
  return nals;
}
