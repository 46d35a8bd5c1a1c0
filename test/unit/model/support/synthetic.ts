import { paddleNameMappings } from '../../../../src/model/paddle-names.js';
import { DType, NdArray, PyDict } from '../../../../src/model/pickle/index.js';
import type { ResNetDepth } from '../../../../src/model/types.js';
import type { ArraySpec } from './pickle-writer.js';

/**
 * Every tensor of a PaddleVideo TSN state dict with real shapes. Data: each tensor filled with a value
 * derived from its position, so mix-ups between tensors are visible after conversion.
 */
export function syntheticPaddleState(depth: ResNetDepth, numClasses: number): Map<string, ArraySpec> {
  const out = new Map<string, ArraySpec>();
  paddleNameMappings(depth, numClasses).forEach((m, i) => {
    const count = m.paddleShape.reduce((a, d) => a * d, 1);
    const values = new Float32Array(count);
    for (let k = 0; k < Math.min(count, 8); k++) values[k] = i + k / 10;
    out.set(m.paddle, { shape: m.paddleShape, data: new Uint8Array(values.buffer) });
  });
  return out;
}

/**
 * The same state dict as an already-unpickled value, without a pickle in between. Arrays without data
 * share one zero buffer, so even ResNet-101-sized dicts cost little memory.
 */
export function stateDictValue(specs: ReadonlyMap<string, ArraySpec>): PyDict {
  let largest = 0;
  for (const s of specs.values()) largest = Math.max(largest, byteLength(s));
  const zeros = new Uint8Array(largest);
  const dict = new PyDict();
  for (const [name, s] of specs) {
    const a = new NdArray();
    a.shape = s.shape;
    const dtype = new DType((s.dtype ?? '<f4').slice(1));
    dtype.byteOrder = (s.dtype ?? '<f4').slice(0, 1);
    a.dtype = dtype;
    a.data = s.data ?? zeros.subarray(0, byteLength(s));
    dict.entries.set(name, a);
  }
  return dict;
}

function byteLength(s: ArraySpec): number {
  const item = Number(/(\d+)$/.exec(s.dtype ?? '<f4')?.[1] ?? '4');
  return s.shape.reduce((a, d) => a * d, 1) * item;
}

/** Shapes only (no data): cheap inputs for name and shape checks. */
export function paddleShapes(depth: ResNetDepth, numClasses: number): Map<string, ArraySpec> {
  return new Map(paddleNameMappings(depth, numClasses).map((m) => [m.paddle, { shape: m.paddleShape }]));
}
