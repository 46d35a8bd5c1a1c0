/**
 * Splits an H.264 Annex B byte stream into NAL units as chunks arrive. A NAL unit is complete only once
 * the next start code is seen, so the last one stays buffered until more bytes come (or flush()).
 */
export class AnnexBSplitter {
  private pending: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Buffer[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const nals: Buffer[] = [];
    let start = findStartCode(this.pending, 0);
    if (start === undefined) return nals;
    let payloadStart = start.index + start.length;
    for (;;) {
      const next = findStartCode(this.pending, payloadStart);
      if (next === undefined) break;
      const nal = withoutTrailingZeros(this.pending.subarray(payloadStart, next.index));
      if (nal.length > 0) nals.push(Buffer.from(nal));
      start = next;
      payloadStart = next.index + next.length;
    }
    this.pending = this.pending.subarray(start.index);
    return nals;
  }

  /** The NAL unit still buffered, when the stream has ended. */
  flush(): Buffer[] {
    const start = findStartCode(this.pending, 0);
    const rest = start === undefined ? Buffer.alloc(0) : this.pending.subarray(start.index + start.length);
    this.pending = Buffer.alloc(0);
    const nal = withoutTrailingZeros(rest);
    return nal.length > 0 ? [Buffer.from(nal)] : [];
  }
}

// A NAL unit ends with its rbsp stop bit, so zero bytes after it belong to the next start code.
function withoutTrailingZeros(nal: Buffer): Buffer {
  let end = nal.length;
  while (end > 0 && nal[end - 1] === 0) end--;
  return nal.subarray(0, end);
}

interface StartCode {
  readonly index: number;
  readonly length: 3 | 4;
}

function findStartCode(buf: Buffer, from: number): StartCode | undefined {
  for (let i = from; i + 2 < buf.length; i++) {
    if (buf[i + 2]! > 1) {
      i += 2;
      continue;
    }
    if (buf[i] === 0 && buf[i + 1] === 0 && buf[i + 2] === 1) {
      if (i > from && buf[i - 1] === 0) return { index: i - 1, length: 4 };
      return { index: i, length: 3 };
    }
  }
  return undefined;
}

export const NalType = {
  nonIdrSlice: 1,
  idrSlice: 5,
  sei: 6,
  sps: 7,
  pps: 8,
  aud: 9,
} as const;

export function nalType(nal: Buffer): number {
  return (nal[0] ?? 0) & 0x1f;
}
