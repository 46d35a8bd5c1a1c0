import { TsnError } from '../errors/index.js';
import { NdArray, PyDict, PyTuple, describe, type PickleValue } from './pickle/index.js';
import { PADDLE_NAME_TABLE_KEY, inferDepth, paddleNameMappings, type NameMapping } from './paddle-names.js';
import type { ResNetDepth, Tensor, Weights } from './types.js';

export interface MappedCheckpoint {
  readonly depth: ResNetDepth;
  readonly numClasses: number;
  /** Canonical (torchvision) names, in torchvision order. */
  readonly weights: Weights;
}

/**
 * A paddle.save state dict (already unpickled) to canonical weights: infers depth and class count, then
 * insists on exactly the expected tensors, each float32 little-endian with the expected shape.
 */
export function mapPaddleState(root: PickleValue): MappedCheckpoint {
  const arrays = stateEntries(root);
  const depth = inferDepth(arrays.keys());
  const numClasses = classCount(arrays);
  const mappings = paddleNameMappings(depth, numClasses);
  checkNames(arrays, mappings, depth);
  const weights = new Map<string, Tensor>();
  for (const m of mappings) weights.set(m.canonical, toTensor(m, arrays.get(m.paddle) ?? null));
  return { depth, numClasses, weights };
}

function stateEntries(root: PickleValue): Map<string, PickleValue> {
  if (!(root instanceof PyDict)) {
    throw new TsnError(
      'E_CKPT_UNSUPPORTED',
      `the checkpoint holds a ${describe(root)}, not a state dict (name -> array) as paddle.save writes for parameters`,
      { context: { found: describe(root) } },
    );
  }
  const out = new Map<string, PickleValue>();
  for (const [key, value] of root.entries) {
    if (key === PADDLE_NAME_TABLE_KEY) continue;
    if (typeof key !== 'string') {
      throw new TsnError('E_CKPT_EXTRA_TENSOR', `the checkpoint has a non-string key ${String(key)}`, {
        context: { tensor: String(key) },
      });
    }
    out.set(key, unwrapNamedTensor(value));
  }
  return out;
}

/** A Tensor pickled by paddle.save's non-legacy path arrives as (name, ndarray); keep the array. */
function unwrapNamedTensor(value: PickleValue): PickleValue {
  if (value instanceof PyTuple && value.items.length === 2 && typeof value.items[0] === 'string') {
    const array = value.items[1];
    if (array instanceof NdArray) return array;
  }
  return value;
}

function classCount(arrays: ReadonlyMap<string, PickleValue>): number {
  const bias = arrays.get('head.fc.bias');
  if (bias === undefined) {
    throw new TsnError(
      'E_CKPT_MISSING_TENSOR',
      'the checkpoint has no head.fc.bias, so it is not a TSN classifier (a backbone-only checkpoint cannot be served)',
      { context: { tensor: 'head.fc.bias' } },
    );
  }
  const array = floatArray('head.fc.bias', bias);
  const [count] = array.shape;
  if (array.shape.length !== 1 || count === undefined || count < 1) {
    throw new TsnError(
      'E_CKPT_SHAPE',
      `head.fc.bias has shape [${array.shape.join(',')}]; expected [num_classes]`,
      {
        context: { tensor: 'head.fc.bias', expected: ['num_classes'], actual: array.shape },
      },
    );
  }
  return count;
}

function checkNames(
  arrays: ReadonlyMap<string, PickleValue>,
  mappings: readonly NameMapping[],
  depth: number,
): void {
  const expected = new Set(mappings.map((m) => m.paddle));
  const missing = mappings.filter((m) => !arrays.has(m.paddle)).map((m) => m.paddle);
  if (missing.length > 0) {
    throw new TsnError(
      'E_CKPT_MISSING_TENSOR',
      `the checkpoint lacks ${missing.length} tensor(s) of a ResNet-${depth} TSN, first ${missing[0]}`,
      { context: { tensor: missing[0], missing: missing.slice(0, 20), missingCount: missing.length, depth } },
    );
  }
  const extra = [...arrays.keys()].filter((name) => !expected.has(name));
  if (extra.length > 0) {
    throw new TsnError(
      'E_CKPT_EXTRA_TENSOR',
      `the checkpoint has ${extra.length} tensor(s) a ResNet-${depth} TSN does not, first ${extra[0]}`,
      { context: { tensor: extra[0], extra: extra.slice(0, 20), extraCount: extra.length, depth } },
    );
  }
}

function floatArray(name: string, value: PickleValue): NdArray & { data: Uint8Array } {
  if (!(value instanceof NdArray) || value.data === null || value.dtype === null) {
    throw new TsnError(
      'E_CKPT_UNSUPPORTED',
      `checkpoint entry ${name} is a ${describe(value)}, not a numpy array`,
      {
        context: { tensor: name, found: describe(value) },
      },
    );
  }
  if (value.dtype.str !== '<f4') {
    throw new TsnError(
      'E_CKPT_DTYPE',
      `tensor ${name} has dtype ${value.dtype.str}; only float32 little-endian ('<f4') weights are supported`,
      { context: { tensor: name, dtype: value.dtype.str } },
    );
  }
  return value as NdArray & { data: Uint8Array };
}

function toTensor(m: NameMapping, value: PickleValue): Tensor {
  const array = floatArray(m.paddle, value);
  if (!sameShape(array.shape, m.paddleShape)) {
    throw new TsnError(
      'E_CKPT_SHAPE',
      `tensor ${m.paddle} has shape [${array.shape.join(',')}], expected [${m.paddleShape.join(',')}]`,
      { context: { tensor: m.paddle, expected: m.paddleShape, actual: array.shape } },
    );
  }
  const data = littleEndianFloats(array.data);
  return { shape: m.canonicalShape, data: m.transpose ? transpose2d(data, m.paddleShape) : data };
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** A copy: the pickle bytes are unaligned views into the file, and weights must not pin the file buffer. */
function littleEndianFloats(bytes: Uint8Array): Float32Array {
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  const out = new Float32Array(copy.buffer);
  if (hostIsLittleEndian()) return out;
  const view = new DataView(copy.buffer);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}

export function hostIsLittleEndian(): boolean {
  return new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
}

function transpose2d(data: Float32Array, [rows, cols]: readonly number[]): Float32Array {
  const r = rows ?? 0;
  const c = cols ?? 0;
  const out = new Float32Array(data.length);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[j * r + i] = data[i * c + j] as number;
  return out;
}
