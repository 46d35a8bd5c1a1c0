// A minimal pickle writer for tests: emits what paddle.save emits for a dict of numpy arrays (protocol 4
// framing optional), so tests can build checkpoints with any names, shapes and dtypes.

export interface ArraySpec {
  readonly shape: readonly number[];
  /** numpy dtype.str, default "<f4". */
  readonly dtype?: string;
  /** Raw bytes; default zeros of the right size. */
  readonly data?: Uint8Array;
}

const enc = new TextEncoder();

class Out {
  readonly chunks: Uint8Array[] = [];
  byte(...b: number[]): this {
    this.chunks.push(Uint8Array.from(b));
    return this;
  }
  raw(b: Uint8Array): this {
    this.chunks.push(b);
    return this;
  }
  u32(n: number): this {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, n, true);
    return this.raw(b);
  }
  i32(n: number): this {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setInt32(0, n, true);
    return this.raw(b);
  }
  u64(n: number): this {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, BigInt(n), true);
    return this.raw(b);
  }
  str(s: string): this {
    const b = enc.encode(s);
    return this.byte(0x58).u32(b.length).raw(b);
  }
  global(module: string, name: string): this {
    return this.byte(0x63).raw(enc.encode(`${module}\n${name}\n`));
  }
  int(n: number): this {
    return n >= 0 && n < 256 ? this.byte(0x4b, n) : this.byte(0x4a).i32(n);
  }
  bytes(b: Uint8Array): this {
    return this.byte(0x8e).u64(b.length).raw(b);
  }
  build(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

function itemSize(dtype: string): number {
  return Number(/(\d+)$/.exec(dtype)?.[1] ?? '4');
}

function writeArray(out: Out, a: ArraySpec): void {
  const dtype = a.dtype ?? '<f4';
  const count = a.shape.reduce((p, d) => p * d, 1);
  const data = a.data ?? new Uint8Array(count * itemSize(dtype));
  out.global('numpy.core.multiarray', '_reconstruct').global('numpy', 'ndarray');
  out.int(0).byte(0x85).byte(0x43, 1, 0x62).byte(0x87).byte(0x52);
  out.byte(0x28).int(1).byte(0x28);
  for (const d of a.shape) out.int(d);
  out.byte(0x74);
  out.global('numpy', 'dtype').str(dtype.slice(1)).byte(0x89, 0x88, 0x87, 0x52);
  out.byte(0x28).int(3).str(dtype.slice(0, 1)).byte(0x4e, 0x4e, 0x4e).int(-1).int(-1).int(0).byte(0x74, 0x62);
  out.byte(0x89).bytes(data).byte(0x74, 0x62);
}

/** A protocol-4 pickle of {name: array} (+ the paddle name table), like paddle.save's output. */
export function pickleStateDict(entries: Iterable<readonly [string, ArraySpec]>, withTable = true): Buffer {
  const out = new Out().byte(0x80, 4).byte(0x7d).byte(0x28);
  const names: string[] = [];
  for (const [name, spec] of entries) {
    out.str(name);
    writeArray(out, spec);
    names.push(name);
  }
  if (withTable) {
    out.str('StructuredToParameterName@@').byte(0x7d).byte(0x28);
    names.forEach((n, i) => out.str(n).str(`param_${i}`));
    out.byte(0x75);
  }
  return out.byte(0x75).byte(0x2e).build();
}

/** Builds raw pickle bytes from opcodes, for crafting malformed inputs. */
export function opcodes(): Out {
  return new Out();
}

/** float32 little-endian bytes of a sequence. */
export function f32Bytes(values: ArrayLike<number>): Uint8Array {
  return new Uint8Array(Float32Array.from(values).buffer);
}
