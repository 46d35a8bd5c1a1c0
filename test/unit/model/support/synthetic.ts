import { paddleNameMappings } from '../../../../src/model/paddle-names.js';
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
