// The Python values a checkpoint pickle can build here. Everything else is refused while reading.

/** A whitelisted callable, resolved from "module.name" (see globals.ts). */
export class PyGlobal {
  constructor(
    readonly module: string,
    readonly name: string,
    readonly kind: GlobalKind,
  ) {}
}

export type GlobalKind = 'reconstruct' | 'ndarray' | 'dtype' | 'encode' | 'ordereddict' | 'bytes' | 'tuple';

export class PyTuple {
  constructor(readonly items: readonly PickleValue[]) {}
}

export class PyList {
  readonly items: PickleValue[] = [];
}

export type DictKey = string | number | boolean | null;

export class PyDict {
  readonly entries = new Map<DictKey, PickleValue>();
}

/** numpy.dtype('f4', ...) completed by BUILD, which carries the byte order. */
export class DType {
  byteOrder = '=';
  constructor(readonly code: string) {}

  /** numpy's dtype.str, e.g. "<f4". */
  get str(): string {
    return `${this.byteOrder}${this.code}`;
  }
}

/** numpy.ndarray: created empty by _reconstruct, filled by BUILD (ndarray.__setstate__). */
export class NdArray {
  shape: readonly number[] = [];
  dtype: DType | null = null;
  /** Raw C-order bytes, a view into the input wherever possible. null until BUILD. */
  data: Uint8Array | null = null;
}

export type PickleValue =
  null | boolean | number | string | Uint8Array | PyTuple | PyList | PyDict | PyGlobal | DType | NdArray;

export function describe(value: PickleValue): string {
  if (value === null) return 'None';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return 'number';
  if (typeof value === 'string') return 'str';
  if (value instanceof Uint8Array) return 'bytes';
  if (value instanceof PyTuple) return 'tuple';
  if (value instanceof PyList) return 'list';
  if (value instanceof PyDict) return 'dict';
  if (value instanceof PyGlobal) return `${value.module}.${value.name}`;
  if (value instanceof DType) return 'numpy.dtype';
  return 'numpy.ndarray';
}
