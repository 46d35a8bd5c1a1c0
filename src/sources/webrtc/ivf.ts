// IVF: the smallest container that carries a timestamp per encoded frame (32-byte file header, then per
// frame a 12-byte header: size u32le, pts u64le). ffmpeg's ivf demuxer maps the fourcc through its codec
// tag table, so 'H264' with Annex-B access units decodes as well as 'VP80'.
export type VideoCodec = 'h264' | 'vp8';

/** RTP's video clock: IVF timestamps are written in it, so no conversion touches them. */
export const RTP_VIDEO_CLOCK_HZ = 90_000;

const fourccs: Record<VideoCodec, string> = { h264: 'H264', vp8: 'VP80' };

/** The file header. Width and height may be 0: the decoder reads the size from the bitstream. */
export function ivfFileHeader(codec: VideoCodec, width = 0, height = 0): Buffer {
  const header = Buffer.alloc(32);
  header.write('DKIF', 0, 'ascii');
  header.writeUInt16LE(0, 4); // version
  header.writeUInt16LE(32, 6); // header length
  header.write(fourccs[codec], 8, 'ascii');
  header.writeUInt16LE(width, 12);
  header.writeUInt16LE(height, 14);
  header.writeUInt32LE(RTP_VIDEO_CLOCK_HZ, 16); // time base denominator
  header.writeUInt32LE(1, 20); // time base numerator
  header.writeUInt32LE(0, 24); // frame count: unknown for a live stream
  return header;
}

/** One frame: its 12-byte header followed by the data. */
export function ivfFrame(data: Uint8Array, pts: number): Buffer {
  if (!(Number.isSafeInteger(pts) && pts >= 0))
    throw new RangeError(`IVF pts must be a non-negative integer, got ${pts}`);
  const header = Buffer.alloc(12);
  header.writeUInt32LE(data.length, 0);
  header.writeBigUInt64LE(BigInt(pts), 4);
  return Buffer.concat([header, data]);
}
