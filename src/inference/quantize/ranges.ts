import type { ActivationRange, CalibrationMethod } from '../../model/types.js';

export const HISTOGRAM_BINS = 2048;
/** Percentile method: the fraction of values allowed to clip at each end. */
export const PERCENTILE_TAIL = 1e-4;

/** uint8 asymmetric parameters for a range; the range is widened to contain 0 (exact zero padding). */
export function uint8Range(min: number, max: number): ActivationRange {
  const lo = Math.min(0, min);
  const hi = Math.max(0, max);
  const span = hi - lo;
  // An all-zero tensor still needs a positive scale; any will do.
  const scale = span > 0 ? span / 255 : 1;
  const zeroPoint = Math.min(255, Math.max(0, Math.round(-lo / scale)));
  return { min: lo, max: hi, scale, zeroPoint };
}

/** Running min/max of one tensor over all calibration images (pass 1 of every method). */
export class MinMax {
  min = 0;
  max = 0;

  add(values: Float32Array): void {
    let lo = this.min;
    let hi = this.max;
    for (let i = 0; i < values.length; i++) {
      const v = values[i] ?? 0;
      if (v < lo) lo = v;
      else if (v > hi) hi = v;
    }
    this.min = lo;
    this.max = hi;
  }
}

/**
 * Histogram of one tensor over [lo, hi] (pass 2, from pass 1's min/max). The entropy method bins |x|
 * (lo = 0, hi = max |x|) as TensorRT's calibrator does; percentile bins the values themselves.
 */
export class Histogram {
  readonly counts = new Float64Array(HISTOGRAM_BINS);
  total = 0;

  constructor(
    readonly lo: number,
    readonly hi: number,
    readonly absolute: boolean,
  ) {}

  add(values: Float32Array): void {
    const width = (this.hi - this.lo) / HISTOGRAM_BINS;
    if (!(width > 0)) {
      this.counts[0] = (this.counts[0] ?? 0) + values.length;
      this.total += values.length;
      return;
    }
    const last = HISTOGRAM_BINS - 1;
    for (let i = 0; i < values.length; i++) {
      const raw = values[i] ?? 0;
      const v = this.absolute ? Math.abs(raw) : raw;
      const bin = Math.min(last, Math.max(0, Math.floor((v - this.lo) / width)));
      this.counts[bin] = (this.counts[bin] ?? 0) + 1;
    }
    this.total += values.length;
  }

  /** The value below which `fraction` of the counts lie (bin edge, upper side). */
  quantile(fraction: number): number {
    const width = (this.hi - this.lo) / HISTOGRAM_BINS;
    const target = fraction * this.total;
    let seen = 0;
    for (let b = 0; b < HISTOGRAM_BINS; b++) {
      seen += this.counts[b] ?? 0;
      if (seen >= target) return this.lo + (b + 1) * width;
    }
    return this.hi;
  }
}

/** Does the method need the second (histogram) pass? */
export const needsHistogram = (method: CalibrationMethod): boolean => method !== 'minmax';

export function histogramFor(method: CalibrationMethod, m: MinMax, nonNegative: boolean): Histogram {
  if (method === 'entropy') return new Histogram(0, Math.max(-m.min, m.max), true);
  return new Histogram(nonNegative ? 0 : m.min, m.max, false);
}

/** The calibrated range of one tensor. */
export function chooseRange(
  method: CalibrationMethod,
  m: MinMax,
  histogram: Histogram | undefined,
  nonNegative: boolean,
): ActivationRange {
  if (method === 'minmax' || histogram === undefined || histogram.total === 0)
    return uint8Range(m.min, m.max);
  if (method === 'percentile') {
    const lo = nonNegative ? 0 : histogram.quantile(PERCENTILE_TAIL);
    return uint8Range(Math.max(m.min, lo), Math.min(m.max, histogram.quantile(1 - PERCENTILE_TAIL)));
  }
  // Entropy: a signed tensor spreads 256 levels over [-t, t], so half of them cover |x|.
  const t = klThreshold(histogram, nonNegative ? 256 : 128);
  return uint8Range(nonNegative ? 0 : Math.max(m.min, -t), Math.min(m.max, t));
}

const KL_STEP = 16;
const KL_EPSILON = 1e-4;

/**
 * TensorRT's entropy calibration on a histogram of |x|: the clipping threshold whose `levels`-level
 * quantization of the clipped distribution loses the least information (KL divergence).
 */
export function klThreshold(h: Histogram, levels: number): number {
  const width = (h.hi - h.lo) / HISTOGRAM_BINS;
  let best = HISTOGRAM_BINS;
  let bestKl = Infinity;
  for (let i = levels; i <= HISTOGRAM_BINS; i += KL_STEP) {
    const kl = klAt(h.counts, i, levels);
    if (kl < bestKl) {
      bestKl = kl;
      best = i;
    }
  }
  return h.lo + best * width;
}

function klAt(counts: Float64Array, i: number, levels: number): number {
  const p = Array.from(counts.subarray(0, i));
  // Exact zeros (most of a ReLU output) quantize exactly under any threshold; their spike would
  // otherwise dominate the divergence and pull the threshold down.
  p[0] = 0;
  let outliers = 0;
  for (let b = i; b < counts.length; b++) outliers += counts[b] ?? 0;
  p[i - 1] = (p[i - 1] ?? 0) + outliers;
  const q = new Float64Array(i);
  const perLevel = i / levels;
  for (let l = 0; l < levels; l++) {
    const start = Math.floor(l * perLevel);
    const end = l === levels - 1 ? i : Math.floor((l + 1) * perLevel);
    let sum = 0;
    let nonZero = 0;
    // q spreads the clipped histogram (without the outliers p piles into its last bin) over each level.
    for (let b = Math.max(1, start); b < end; b++) {
      sum += counts[b] ?? 0;
      if ((p[b] ?? 0) > 0) nonZero++;
    }
    for (let b = Math.max(1, start); b < end; b++) if ((p[b] ?? 0) > 0) q[b] = sum / nonZero;
  }
  return divergence(p, q);
}

function divergence(p: readonly number[], q: Float64Array): number {
  const pSum = p.reduce((a, b) => a + b, 0);
  const qSum = q.reduce((a, b) => a + b, 0);
  if (pSum === 0 || qSum === 0) return Infinity;
  let kl = 0;
  for (let b = 0; b < p.length; b++) {
    const pb = (p[b] ?? 0) / pSum;
    if (pb === 0) continue;
    const qb = (q[b] ?? 0) / qSum;
    // Smoothing as TensorRT's calibrator: an empty quantized bin counts as a small probability.
    kl += pb * Math.log(pb / Math.max(qb, KL_EPSILON));
  }
  return kl;
}
