/**
 * Cuts ffmpeg's raw stdout into frames of a fixed byte size. Holds at most one partial frame: memory is
 * bounded by the frame size, whatever the chunking.
 */
export class FrameSplitter {
  private partial: Uint8Array;
  private filled = 0;

  constructor(private readonly frameBytes: number) {
    if (!(Number.isInteger(frameBytes) && frameBytes > 0))
      throw new RangeError(`frameBytes must be a positive integer, got ${frameBytes}`);
    this.partial = new Uint8Array(frameBytes);
  }

  /** Complete frames in `chunk` (each a fresh array the caller owns). */
  push(chunk: Uint8Array): Uint8Array[] {
    const frames: Uint8Array[] = [];
    let offset = 0;
    while (offset < chunk.length) {
      const take = Math.min(this.frameBytes - this.filled, chunk.length - offset);
      this.partial.set(chunk.subarray(offset, offset + take), this.filled);
      this.filled += take;
      offset += take;
      if (this.filled === this.frameBytes) {
        frames.push(this.partial);
        this.partial = new Uint8Array(this.frameBytes);
        this.filled = 0;
      }
    }
    return frames;
  }

  /** Bytes of an incomplete frame (a connection that ends mid-frame leaves some; they are dropped). */
  get pendingBytes(): number {
    return this.filled;
  }

  reset(): void {
    this.filled = 0;
  }
}
