import { TsnError } from '../../errors/index.js';
import {
  DType,
  NdArray,
  PyDict,
  PyGlobal,
  PyList,
  PyTuple,
  describe,
  type GlobalKind,
  type PickleValue,
} from './values.js';

// The only callables a checkpoint may name. Protocol 2 pickles spell builtins "__builtin__" (Python 2
// names, written by Python 3's fix_imports); numpy 2 moved numpy.core to numpy._core.
const WHITELIST: ReadonlyMap<string, GlobalKind> = new Map([
  ['numpy.core.multiarray._reconstruct', 'reconstruct'],
  ['numpy._core.multiarray._reconstruct', 'reconstruct'],
  ['numpy.ndarray', 'ndarray'],
  ['numpy.dtype', 'dtype'],
  ['_codecs.encode', 'encode'],
  ['collections.OrderedDict', 'ordereddict'],
  ['__builtin__.bytes', 'bytes'],
  ['builtins.bytes', 'bytes'],
  // paddle.save's non-legacy pickler writes a Tensor as tuple(((name, ndarray),)) = (name, ndarray).
  ['__builtin__.tuple', 'tuple'],
  ['builtins.tuple', 'tuple'],
]);

const LATIN1_NAMES: ReadonlySet<string> = new Set(['latin1', 'latin-1', 'iso-8859-1', 'iso8859-1', 'l1']);

export function resolveGlobal(module: string, name: string, offset: number): PyGlobal {
  const kind = WHITELIST.get(`${module}.${name}`);
  if (kind === undefined) {
    throw new TsnError(
      'E_CKPT_UNSUPPORTED',
      `the checkpoint references ${module}.${name} (byte ${offset}), which a paddle.save state dict never ` +
        'contains; only numpy arrays in a dict are read (arbitrary Python objects are refused for safety)',
      { context: { global: `${module}.${name}`, offset } },
    );
  }
  return new PyGlobal(module, name, kind);
}

/** Budget for bytes the pickle makes us allocate (latin-1 re-encoding), so BINGET reuse cannot blow up. */
export interface AllocationBudget {
  remaining: number;
}

export function callGlobal(
  fn: PyGlobal,
  args: PyTuple,
  budget: AllocationBudget,
  offset: number,
): PickleValue {
  const a = args.items;
  switch (fn.kind) {
    case 'reconstruct':
      if (!(a[0] instanceof PyGlobal) || a[0].kind !== 'ndarray') {
        throw corrupt(`_reconstruct of ${a[0] === undefined ? 'nothing' : describe(a[0])}`, offset);
      }
      return new NdArray();
    case 'dtype':
      if (typeof a[0] !== 'string' || a[0].length > 16)
        throw corrupt('numpy.dtype without a type code', offset);
      return new DType(a[0]);
    case 'encode':
      return latin1Encode(a, budget, offset);
    case 'ordereddict':
      if (a.length !== 0) throw unsupported('collections.OrderedDict with constructor arguments', offset);
      return new PyDict();
    case 'bytes':
      if (a.length !== 0) throw unsupported('bytes() with arguments', offset);
      return new Uint8Array(0);
    case 'tuple': {
      const [items] = a;
      if (a.length !== 1 || !(items instanceof PyTuple || items instanceof PyList)) {
        throw unsupported('tuple() of something other than a tuple or list', offset);
      }
      if (items instanceof PyTuple) return items;
      spend(budget, items.items.length, offset);
      return new PyTuple([...items.items]);
    }
    case 'ndarray':
      throw unsupported('calling numpy.ndarray directly', offset);
  }
}

function latin1Encode(a: readonly PickleValue[], budget: AllocationBudget, offset: number): Uint8Array {
  const [text, encoding] = a;
  if (typeof text !== 'string' || typeof encoding !== 'string' || !LATIN1_NAMES.has(encoding.toLowerCase())) {
    throw unsupported(`_codecs.encode other than (str, 'latin1')`, offset);
  }
  spend(budget, text.length, offset);
  // Native scan and copy: the per-character JS loop took seconds on a ResNet-50 protocol-2 file.
  if (/[\u0100-\uffff]/.test(text))
    throw corrupt('a latin-1 byte string holding a character above U+00FF', offset);
  return Buffer.from(text, 'latin1');
}

function spend(budget: AllocationBudget, n: number, offset: number): void {
  if (n > budget.remaining) {
    throw new TsnError(
      'E_CKPT_TOO_LARGE',
      `the checkpoint asks to build more bytes than the file holds (at byte ${offset}): it is corrupt`,
      { context: { offset } },
    );
  }
  budget.remaining -= n;
}

/** BUILD: numpy's __setstate__ for arrays and dtypes. Nothing else accepts state. */
export function applyState(
  target: PickleValue,
  state: PickleValue,
  budget: AllocationBudget,
  offset: number,
): void {
  if (target instanceof DType) {
    if (!(state instanceof PyTuple) || typeof state.items[1] !== 'string') {
      throw corrupt('numpy.dtype state without a byte order', offset);
    }
    target.byteOrder = state.items[1];
    return;
  }
  if (target instanceof NdArray) {
    setArrayState(target, state, budget, offset);
    return;
  }
  if (target instanceof PyDict && state === null) return;
  throw unsupported(`setting state on ${describe(target)}`, offset);
}

function setArrayState(array: NdArray, state: PickleValue, budget: AllocationBudget, offset: number): void {
  if (array.data !== null) throw corrupt('numpy.ndarray state set twice', offset);
  if (!(state instanceof PyTuple) || (state.items.length !== 5 && state.items.length !== 4)) {
    throw corrupt('numpy.ndarray state that is not a 4- or 5-tuple', offset);
  }
  const items = state.items.length === 5 ? state.items.slice(1) : state.items;
  const [shape, dtype, fortran, data] = items;
  if (!(shape instanceof PyTuple) || !(dtype instanceof DType) || typeof fortran !== 'boolean') {
    throw corrupt('numpy.ndarray state with a malformed shape, dtype or order flag', offset);
  }
  if (!(data instanceof Uint8Array)) {
    throw new TsnError(
      'E_CKPT_DTYPE',
      `a numpy array of dtype ${dtype.str} (byte ${offset}) holds Python objects, not raw numbers`,
      { context: { offset, dtype: dtype.str } },
    );
  }
  const dims = shape.items.map((d) => {
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0)
      throw corrupt('a negative or non-integer dimension', offset);
    return d;
  });
  if (dims.length > 32) throw corrupt(`an array with ${dims.length} dimensions`, offset);
  const itemBytes = itemSize(dtype, offset);
  let count = 1;
  for (const d of dims) count = Math.min(count * d, Number.MAX_SAFE_INTEGER);
  if (count * itemBytes !== data.length) {
    throw corrupt(
      `an array of shape [${dims.join(',')}] and dtype ${dtype.str} with ${data.length} data bytes ` +
        `(expected ${count * itemBytes})`,
      offset,
    );
  }
  array.shape = dims;
  // A copy: the memoized dtype object could be re-BUILT later with another byte order.
  array.dtype = Object.assign(new DType(dtype.code), { byteOrder: dtype.byteOrder });
  if (fortran && dims.length > 1) {
    spend(budget, data.length, offset);
    array.data = fortranToC(data, dims, itemBytes);
  } else {
    array.data = data;
  }
}

function itemSize(dtype: DType, offset: number): number {
  const m = /^[biufc](\d{1,2})$/.exec(dtype.code);
  if (m === null) {
    throw new TsnError(
      'E_CKPT_DTYPE',
      `a numpy array of dtype ${dtype.str} (byte ${offset}): only numeric arrays are read`,
      {
        context: { offset, dtype: dtype.str },
      },
    );
  }
  return Number(m[1]);
}

/** Column-major (is_fortran) bytes to row-major, element by element. */
function fortranToC(data: Uint8Array, dims: readonly number[], itemBytes: number): Uint8Array {
  const out = new Uint8Array(data.length);
  const count = data.length / itemBytes;
  const index = new Array<number>(dims.length).fill(0);
  for (let c = 0; c < count; c++) {
    let f = 0;
    for (let k = dims.length - 1; k >= 0; k--) f = f * (dims[k] as number) + (index[k] as number);
    out.set(data.subarray(f * itemBytes, (f + 1) * itemBytes), c * itemBytes);
    for (let k = dims.length - 1; k >= 0; k--) {
      index[k] = (index[k] as number) + 1;
      if ((index[k] as number) < (dims[k] as number)) break;
      index[k] = 0;
    }
  }
  return out;
}

export function corrupt(what: string, offset: number): TsnError {
  return new TsnError('E_CKPT_CORRUPT', `the checkpoint is malformed at byte ${offset}: ${what}`, {
    context: { offset },
  });
}

export function unsupported(what: string, offset: number): TsnError {
  return new TsnError(
    'E_CKPT_UNSUPPORTED',
    `the checkpoint uses ${what} (byte ${offset}), which this reader does not support`,
    {
      context: { offset },
    },
  );
}
