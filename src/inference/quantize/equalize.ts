import { TsnError } from '../../errors/index.js';
import type { Tensor, Weights } from '../../model/types.js';
import { requireTensor } from '../resnet/fold-bn.js';
import type { ConvSpec, ResNetPlan } from '../resnet/plan.js';
import { STEM_POINT, blockOutPoint, mainConvPoint, shortcutPoint } from './points.js';

/**
 * Activation equalisation (cross-layer scaling; Nagel et al. 2019, SmoothQuant 2022 for activations):
 * uint8 activations have one scale per tensor, and a tensor whose channels span very different ranges
 * spends its 256 levels on its widest channels (the demo model's per-channel maxima are 11-50 % of the
 * tensor's). Multiplying channel c by s_c where it is made and dividing the next convs' input weights
 * by s_c leaves the network's function unchanged (ReLU commutes with a positive scale) and gives narrow
 * channels finer levels. The cost: those input weights get coarser relative to their per-channel scale,
 * so s_c = (R / r_c)^alpha balances the two (alpha 1 would equalise the activations fully).
 */

/** A tensor whose channels share one scale vector: made by `producers`, read by `consumers`. */
export interface EqualizationGroup {
  /** Key in QuantizationInfo.equalization: the first activation point of the group. */
  readonly key: string;
  readonly channels: number;
  /** Convs whose output channels (BatchNorm gamma and beta) are multiplied by s. */
  readonly producers: readonly ConvSpec[];
  /** Convs whose input channels (weight columns) are divided by s. */
  readonly consumers: readonly ConvSpec[];
  /** Activation points that carry these channels scaled (their per-channel maxima set s). */
  readonly points: readonly string[];
  /** The group ends in the backbone's features (the graph divides them back by s after pooling). */
  readonly features: boolean;
}

/** Scales per group key, one per channel, all >= 1 (stored in the calibration table). */
export type Equalization = Readonly<Record<string, readonly number[]>>;

/** No channel is scaled up by more than this: a dead or near-constant channel must not blow up weights. */
export const MAX_EQUALIZATION_SCALE = 32;
/**
 * A scaled channel keeps this factor of headroom below the tensor's range: its calibration maximum is
 * an estimate from a few clips, and once scaled up to the tensor's range it would clip at anything more.
 */
export const EQUALIZATION_HEADROOM = 2;

/**
 * The plan's groups: inside each block, the output of every main conv but the last (a ReLU sits between
 * it and the next conv); and the residual stream of each run of blocks joined by identity shortcuts
 * (with the stem's output when the first block has none), which every block of the run adds to, so
 * all of them share its scales.
 */
export function equalizationGroups(plan: ResNetPlan): EqualizationGroup[] {
  const groups: EqualizationGroup[] = [];
  let stream = { key: STEM_POINT, producers: [plan.stem], consumers: [] as ConvSpec[], points: [STEM_POINT] };
  const closeStream = (features: boolean): void => {
    const channels = stream.producers[0]?.outChannels ?? 0;
    groups.push({ ...stream, channels, features });
  };
  for (const block of plan.blocks) {
    const first = block.main[0];
    const last = block.main.length - 1;
    if (first !== undefined) stream.consumers.push(first);
    if (block.shortcut) {
      stream.consumers.push(block.shortcut);
      closeStream(false);
      const key = shortcutPoint(block.name);
      stream = { key, producers: [block.shortcut], consumers: [], points: [key] };
    }
    block.main.forEach((spec, i) => {
      const next = block.main[i + 1];
      if (next === undefined) return;
      const key = mainConvPoint(block.name, i);
      groups.push({
        key,
        channels: spec.outChannels,
        producers: [spec],
        consumers: [next],
        points: [key],
        features: false,
      });
    });
    const lastConv = block.main[last];
    if (lastConv !== undefined) stream.producers.push(lastConv);
    stream.points.push(mainConvPoint(block.name, last), blockOutPoint(block.name));
  }
  closeStream(true);
  return groups;
}

/**
 * s_c = (R / r_c)^alpha from each channel's largest |value| r_c (R the largest), within [1, max], to 4
 * significant digits (the table stores what the graph applies; more digits only make it longer).
 */
export function equalizationScales(maxAbs: Float64Array, alpha: number): number[] {
  const widest = maxAbs.reduce((m, v) => Math.max(m, v), 0);
  return Array.from(maxAbs, (r) =>
    r > 0 && widest > 0 ? Number(scaleFor(widest / r, alpha).toPrecision(4)) : 1,
  );
}

function scaleFor(ratio: number, alpha: number): number {
  const wanted = Math.min(ratio ** alpha, ratio / EQUALIZATION_HEADROOM, MAX_EQUALIZATION_SCALE);
  return Math.max(1, wanted);
}

/**
 * The weights with every group's scales applied: producers' BatchNorm gamma and beta times s (the
 * folded conv's output channel times s), consumers' weight columns divided by s. Pure; the float32
 * weights file is never changed (the int8 graph applies this when it is built).
 */
export function equalizeWeights(plan: ResNetPlan, weights: Weights, equalization: Equalization): Weights {
  const out = new Map(weights);
  for (const group of equalizationGroups(plan)) {
    const scales = equalization[group.key];
    if (scales === undefined) continue;
    if (scales.length !== group.channels) {
      throw new TsnError(
        'E_MODEL_MANIFEST',
        `The int8 model's equalisation of "${group.key}" has ${scales.length} channels, the network ${group.channels}; re-run tsn quantize.`,
        { context: { point: group.key } },
      );
    }
    for (const p of group.producers) {
      for (const part of ['weight', 'bias']) {
        const name = `${p.bn}.${part}`;
        out.set(
          name,
          mapChannels(requireTensor(out, name, [p.outChannels]), 1, (c) => scales[c] ?? 1),
        );
      }
    }
    for (const c of group.consumers) {
      out.set(
        c.weight,
        mapChannels(
          requireTensor(out, c.weight, [c.outChannels, c.inChannels, c.kernel, c.kernel]),
          c.kernel * c.kernel,
          (k) => 1 / (scales[k] ?? 1),
          c.inChannels,
        ),
      );
    }
  }
  return out;
}

/** Scales the feature vector back (the last group's scales divide it): one factor per feature. */
export function featureRescale(
  plan: ResNetPlan,
  equalization: Equalization | undefined,
): Float32Array | null {
  const last = equalizationGroups(plan).find((g) => g.features);
  const scales = last === undefined ? undefined : equalization?.[last.key];
  return scales === undefined ? null : Float32Array.from(scales, (s) => 1 / s);
}

/**
 * Multiplies channel c's run of `run` values by factor(c); channels repeat with period `period` (an
 * OIHW weight's input channels: period inChannels, run k*k; a per-channel vector: period = its length).
 */
function mapChannels(t: Tensor, run: number, factor: (channel: number) => number, period?: number): Tensor {
  const channels = period ?? t.data.length / run;
  const data = new Float32Array(t.data.length);
  for (let i = 0; i < data.length; i++) {
    data[i] = (t.data[i] ?? 0) * factor(Math.floor(i / run) % channels);
  }
  return { shape: t.shape, data };
}

/** Every group's scales from the per-channel maxima of its points (channelStats in calibrate.ts). */
export function groupScales(
  groups: readonly EqualizationGroup[],
  maxima: ReadonlyMap<string, Float64Array>,
  alpha: number,
): Record<string, number[]> {
  return Object.fromEntries(
    groups.map((g) => [
      g.key,
      equalizationScales(
        groupMax(g, (point) => maxima.get(point)),
        alpha,
      ),
    ]),
  );
}

/** Per channel, the largest of one statistic over the group's points (points without it skipped). */
export function groupMax(
  group: EqualizationGroup,
  statOf: (point: string) => Float64Array | undefined,
): Float64Array {
  const widest = new Float64Array(group.channels);
  for (const point of group.points) {
    statOf(point)?.forEach((v, c) => (widest[c] = Math.max(widest[c] ?? 0, v)));
  }
  return widest;
}
