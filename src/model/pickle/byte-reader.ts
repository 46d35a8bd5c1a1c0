import { TsnError } from '../../errors/index.js';

/**
 * A bounds-checked cursor. Every read consumes at least one byte or throws, which is what guarantees the
 * unpickler terminates on any input. Declared lengths are checked against the bytes left before anything
 * is sliced or allocated.
 */
export class ByteReader {
  private offset = 0;
  private readonly view: DataView;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly maxObjectBytes: number,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get position(): number {
    return this.offset;
  }

  get size(): number {
    return this.bytes.length;
  }

  get remaining(): number {
    return this.bytes.length - this.offset;
  }

  u8(): number {
    this.need(1);
    return this.bytes[this.offset++] as number;
  }

  u16(): number {
    this.need(2);
    const v = this.view.getUint16(this.offset, true);
    this.offset += 2;
    return v;
  }

  u32(): number {
    this.need(4);
    const v = this.view.getUint32(this.offset, true);
    this.offset += 4;
    return v;
  }

  i32(): number {
    this.need(4);
    const v = this.view.getInt32(this.offset, true);
    this.offset += 4;
    return v;
  }

  /** A u64 length; anything beyond 2^53 is certainly larger than any file we accept. */
  u64Length(what: string): number {
    this.need(8);
    const low = this.view.getUint32(this.offset, true);
    const high = this.view.getUint32(this.offset + 4, true);
    this.offset += 8;
    if (high >= 0x200000) this.tooLarge(what, Number.MAX_SAFE_INTEGER);
    return high * 0x100000000 + low;
  }

  f64BigEndian(): number {
    this.need(8);
    const v = this.view.getFloat64(this.offset, false);
    this.offset += 8;
    return v;
  }

  /** A view (no copy) of the next n bytes, after checking n against the cap and the bytes left. */
  take(n: number, what: string): Uint8Array {
    if (n > this.maxObjectBytes) this.tooLarge(what, n);
    this.need(n);
    const out = this.bytes.subarray(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }

  /** Checks a declared length (e.g. a FRAME) without consuming it. */
  expect(n: number, what: string): void {
    if (n > this.maxObjectBytes) this.tooLarge(what, n);
    this.need(n);
  }

  /** A "\n"-terminated ASCII line (GLOBAL operands), at most maxLength bytes before the newline. */
  line(maxLength: number): string {
    const end = Math.min(this.bytes.length, this.offset + maxLength + 1);
    for (let i = this.offset; i < end; i++) {
      if (this.bytes[i] === 0x0a) {
        const text = Buffer.from(this.bytes.subarray(this.offset, i)).toString('latin1');
        this.offset = i + 1;
        return text;
      }
    }
    if (end === this.bytes.length) this.need(end - this.offset + 1);
    throw new TsnError(
      'E_CKPT_CORRUPT',
      `a GLOBAL name at byte ${this.offset} is longer than ${maxLength} bytes`,
      {
        context: { offset: this.offset },
      },
    );
  }

  private need(n: number): void {
    if (n > this.remaining) {
      throw new TsnError(
        'E_CKPT_TRUNCATED',
        `the checkpoint ends early: ${n} bytes needed at byte ${this.offset}, ${this.remaining} left. ` +
          'The file is incomplete; download or copy it again.',
        { context: { offset: this.offset, needed: n, remaining: this.remaining } },
      );
    }
  }

  private tooLarge(what: string, n: number): never {
    throw new TsnError(
      'E_CKPT_TOO_LARGE',
      `${what} at byte ${this.offset} declares ${n} bytes, more than the ${this.maxObjectBytes}-byte limit ` +
        'for one object: the file is corrupt or not a TSN checkpoint.',
      { context: { offset: this.offset, declaredBytes: n, maxObjectBytes: this.maxObjectBytes } },
    );
  }
}
