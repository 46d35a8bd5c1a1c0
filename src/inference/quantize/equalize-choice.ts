import type { Weights } from '../../model/types.js';
import { foldConv } from '../resnet/fold-bn.js';
import type { ConvSpec } from '../resnet/plan.js';
import { type EqualizationGroup, equalizationScales, groupMax } from './equalize.js';
import type { Int8WeightLimit } from './weight-limit.js';

/** One channel statistic per channel of an activation point, over the calibration images. */
export interface ChannelStats {
  readonly maxAbs: Float64Array;
  readonly meanSquare: Float64Array;
}

/** The strengths tried per group; 0 leaves the group as it is. */
export const EQUALIZATION_ALPHAS = [0, 0.25, 0.5, 0.75, 1] as const;

/**
 * Each group's scales, with the strength alpha that gives its consumers the least expected rounding
 * noise: the uint8 activation's (step R/255 over the tensor, 1/s_c of it in channel c's own units,
 * through the consumer's weights) plus the int8 weights' (each consumer row's step, max |W/s| over the
 * row / the weight limit, times the scaled inputs' power). Equalising trades the second for the first,
 * so 7-bit weights (CPUs without VNNI) get milder scales than 8-bit ones. Returns the chosen alphas too.
 */
export function chooseEqualization(
  groups: readonly EqualizationGroup[],
  stats: ReadonlyMap<string, ChannelStats>,
  weights: Weights,
  weightLimit: Int8WeightLimit,
): { scales: Record<string, number[]>; alphas: Record<string, number> } {
  const scales: Record<string, number[]> = {};
  const alphas: Record<string, number> = {};
  for (const group of groups) {
    const { maxAbs, meanSquare } = groupStats(group, stats);
    const consumers = group.consumers.map((c) => columnsOf(weights, c));
    let best = { alpha: 0, noise: Infinity, scales: [] as number[] };
    for (const alpha of EQUALIZATION_ALPHAS) {
      const s = equalizationScales(maxAbs, alpha);
      const noise = consumers.reduce(
        (sum, c) => sum + roundingNoise(c, s, maxAbs, meanSquare, weightLimit),
        0,
      );
      if (noise < best.noise) best = { alpha, noise, scales: s };
    }
    scales[group.key] = best.scales;
    alphas[group.key] = best.alpha;
  }
  return { scales, alphas };
}

/** Per channel: the largest |value| over the group's points, and the mean power of the widest one. */
function groupStats(group: EqualizationGroup, stats: ReadonlyMap<string, ChannelStats>): ChannelStats {
  return {
    maxAbs: groupMax(group, (point) => stats.get(point)?.maxAbs),
    meanSquare: groupMax(group, (point) => stats.get(point)?.meanSquare),
  };
}

/** A consumer's folded weights as [out][in] rows of k*k values. */
interface Columns {
  readonly weight: Float32Array;
  readonly outChannels: number;
  readonly inChannels: number;
  readonly area: number;
}

function columnsOf(weights: Weights, spec: ConvSpec): Columns {
  const { weight } = foldConv(weights, spec);
  return { weight, outChannels: spec.outChannels, inChannels: spec.inChannels, area: spec.kernel ** 2 };
}

/** Expected rounding noise power at a consumer's outputs (sum over rows) for channel scales s. */
function roundingNoise(
  c: Columns,
  s: readonly number[],
  maxAbs: Float64Array,
  meanSquare: Float64Array,
  limit: number,
): number {
  const step = maxAbs.reduce((m, r, ch) => Math.max(m, r * (s[ch] ?? 1)), 0) / 255;
  let activation = 0;
  let weight = 0;
  let scaledPower = 0;
  for (let ch = 0; ch < c.inChannels; ch++) scaledPower += (s[ch] ?? 1) ** 2 * (meanSquare[ch] ?? 0);
  for (let o = 0; o < c.outChannels; o++) {
    let rowMax = 0;
    for (let ch = 0; ch < c.inChannels; ch++) {
      const si = s[ch] ?? 1;
      const base = (o * c.inChannels + ch) * c.area;
      let energy = 0;
      for (let k = 0; k < c.area; k++) {
        const w = c.weight[base + k] ?? 0;
        energy += w * w;
        rowMax = Math.max(rowMax, Math.abs(w) / si);
      }
      activation += (energy / si ** 2) * step ** 2;
    }
    weight += (rowMax / limit) ** 2 * c.area * scaledPower;
  }
  return (activation + weight) / 12;
}
