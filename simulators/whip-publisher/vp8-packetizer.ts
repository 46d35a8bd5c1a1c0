import type { RtpPayload } from '../rtsp-camera/rtp/h264-packetizer.js';

/**
 * RFC 7741 with the smallest payload descriptor (one byte: S bit on the first packet of a frame,
 * partition index 0): a frame is cut into chunks of at most maxPayloadBytes; the marker ends the frame.
 */
export function packetizeVp8Frame(frame: Buffer, maxPayloadBytes: number): RtpPayload[] {
  const chunkBytes = maxPayloadBytes - 1;
  const payloads: RtpPayload[] = [];
  for (let offset = 0; offset < frame.length; offset += chunkBytes) {
    const chunk = frame.subarray(offset, offset + chunkBytes);
    const descriptor = Buffer.from([offset === 0 ? 0x10 : 0x00]);
    payloads.push({
      payload: Buffer.concat([descriptor, chunk]),
      marker: offset + chunkBytes >= frame.length,
    });
  }
  return payloads;
}
