import type { ResNetDepth, Tensor, Weights } from '../../model/types.js';
import { allConvs, resnetPlan } from './plan.js';

/**
 * Seeded random TSN weights for tests and benchmarks, drawn like the Python reference's randomize():
 * Kaiming-normal convs, BN gammas near 1 except the last BN of each block (0.1..0.3, so the residual sum
 * stays bounded through deep stacks), fc std 0.01. Not the same numbers as torch's generator.
 */
export function randomResNetWeights(depth: ResNetDepth, numClasses: number, seed: number): Weights {
  const rng = gaussianSource(seed);
  const plan = resnetPlan(depth);
  const lastBn = new Set(plan.blocks.map((b) => b.main[b.main.length - 1]?.bn));
  const out = new Map<string, Tensor>();
  for (const c of allConvs(plan)) {
    const fanIn = c.inChannels * c.kernel * c.kernel;
    const std = Math.sqrt(2 / fanIn);
    out.set(
      c.weight,
      tensor([c.outChannels, c.inChannels, c.kernel, c.kernel], () => rng.normal() * std),
    );
    const last = lastBn.has(c.bn);
    const n = [c.outChannels];
    out.set(
      `${c.bn}.weight`,
      tensor(n, () => (last ? rng.uniform() * 0.2 + 0.1 : rng.uniform() * 0.5 + 0.75)),
    );
    out.set(
      `${c.bn}.bias`,
      tensor(n, () => rng.normal() * (last ? 0.02 : 0.1)),
    );
    out.set(
      `${c.bn}.running_mean`,
      tensor(n, () => rng.normal() * 0.1),
    );
    out.set(
      `${c.bn}.running_var`,
      tensor(n, () => rng.uniform() * 0.5 + 0.75),
    );
  }
  out.set(
    'fc.weight',
    tensor([numClasses, plan.featureDim], () => rng.normal() * 0.01),
  );
  out.set(
    'fc.bias',
    tensor([numClasses], () => rng.normal() * 0.05),
  );
  return out;
}

function tensor(shape: readonly number[], draw: () => number): Tensor {
  const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < data.length; i++) data[i] = draw();
  return { shape, data };
}

/** mulberry32 uniform source with Box-Muller normals: small, fast and reproducible across platforms. */
export function gaussianSource(seed: number): { uniform(): number; normal(): number } {
  let state = seed >>> 0;
  const uniform = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = (): number => {
    const u = Math.max(uniform(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * uniform());
  };
  return { uniform, normal };
}
