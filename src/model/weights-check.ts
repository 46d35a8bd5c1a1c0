import { TsnError } from '../errors/index.js';
import type { ErrorCode } from '../errors/index.js';
import { canonicalTensorSpecs } from './resnet-layout.js';
import type { ResNetDepth, Tensor, Weights } from './types.js';

/**
 * Checks that `weights` hold exactly the canonical tensors of a TSN ResNet of this depth and class count
 * (names, shapes, data lengths) and returns them in canonical order.
 */
export function checkCanonicalWeights(
  weights: Weights,
  depth: ResNetDepth,
  numClasses: number,
  code: ErrorCode,
  source: string,
): Map<string, Tensor> {
  const specs = canonicalTensorSpecs(depth, numClasses);
  const fail = (tensor: string, what: string, extra: Record<string, unknown> = {}): never => {
    throw new TsnError(code, `${source}: tensor ${tensor} ${what} (ResNet-${depth}, ${numClasses} classes)`, {
      context: { file: source, tensor, ...extra },
    });
  };
  const ordered = new Map<string, Tensor>();
  for (const spec of specs) {
    const t = weights.get(spec.name);
    if (t === undefined) return fail(spec.name, 'is missing');
    const same = t.shape.length === spec.shape.length && t.shape.every((d, i) => d === spec.shape[i]);
    if (!same) fail(spec.name, 'has the wrong shape', { expected: spec.shape, actual: t.shape });
    if (t.data.length !== spec.shape.reduce((a, d) => a * d, 1))
      fail(spec.name, 'has a data length that does not match its shape');
    ordered.set(spec.name, t);
  }
  if (weights.size !== specs.length) {
    const extra = [...weights.keys()].find((k) => !ordered.has(k)) ?? '?';
    fail(extra, 'is not part of the network');
  }
  return ordered;
}
