// Streaming IVF parser (pure): bytes in as they come from ffmpeg, whole frames out.
export interface IvfFrame {
  readonly data: Buffer;
  /** In the file's time base. */
  readonly pts: number;
}

export interface IvfTimeBase {
  readonly num: number;
  readonly den: number;
}

export class IvfReader {
  private pending: Buffer = Buffer.alloc(0);
  private header: IvfTimeBase | undefined;

  /** The file's time base, once its header was read. */
  get timeBase(): IvfTimeBase | undefined {
    return this.header;
  }

  push(chunk: Buffer): IvfFrame[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const frames: IvfFrame[] = [];
    if (this.header === undefined) {
      if (this.pending.length < 32) return frames;
      if (this.pending.toString('ascii', 0, 4) !== 'DKIF')
        throw new Error('not an IVF stream (no DKIF signature)');
      const headerBytes = this.pending.readUInt16LE(6);
      this.header = { den: this.pending.readUInt32LE(16), num: this.pending.readUInt32LE(20) };
      this.pending = this.pending.subarray(headerBytes);
    }
    for (;;) {
      if (this.pending.length < 12) break;
      const size = this.pending.readUInt32LE(0);
      if (this.pending.length < 12 + size) break;
      const pts = Number(this.pending.readBigUInt64LE(4));
      frames.push({ data: Buffer.from(this.pending.subarray(12, 12 + size)), pts });
      this.pending = this.pending.subarray(12 + size);
    }
    return frames;
  }
}
