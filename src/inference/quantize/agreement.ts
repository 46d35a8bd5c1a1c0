/** How far int8 logits follow float32 ones over a set of clips (the accuracy check of tsn quantize). */
export interface Agreement {
  readonly clips: number;
  /** Fraction of clips whose top-1 class is the same. */
  readonly top1: number;
  /** Mean over clips of |top5(fp32) ∩ top5(int8)| / 5 (k = min(5, classes)). */
  readonly top5Overlap: number;
  /** Pearson correlation of all logits, pooled over clips. */
  readonly correlation: number;
  /** Largest |fp32 - int8| logit. */
  readonly maxAbsDiff: number;
}

export function topK(logits: ArrayLike<number>, k: number): number[] {
  return Array.from({ length: logits.length }, (_, i) => i)
    .sort((a, b) => (logits[b] ?? 0) - (logits[a] ?? 0) || a - b)
    .slice(0, k);
}

export function compareLogits(
  reference: readonly ArrayLike<number>[],
  candidate: readonly ArrayLike<number>[],
): Agreement {
  if (reference.length !== candidate.length || reference.length === 0) {
    throw new RangeError(
      `compareLogits: ${reference.length} reference vs ${candidate.length} candidate clips`,
    );
  }
  let top1 = 0;
  let overlap = 0;
  let maxAbsDiff = 0;
  const xs: number[] = [];
  const ys: number[] = [];
  reference.forEach((ref, c) => {
    const cand = candidate[c] ?? [];
    const k = Math.min(5, ref.length);
    const a = topK(ref, k);
    const b = topK(cand, k);
    if (a[0] === b[0]) top1 += 1;
    overlap += a.filter((i) => b.includes(i)).length / k;
    for (let i = 0; i < ref.length; i++) {
      xs.push(ref[i] ?? 0);
      ys.push(cand[i] ?? 0);
      maxAbsDiff = Math.max(maxAbsDiff, Math.abs((ref[i] ?? 0) - (cand[i] ?? 0)));
    }
  });
  const n = reference.length;
  return { clips: n, top1: top1 / n, top5Overlap: overlap / n, correlation: pearson(xs, ys), maxAbsDiff };
}

export function pearson(xs: readonly number[], ys: readonly number[]): number {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = (xs[i] ?? 0) - mx;
    const dy = (ys[i] ?? 0) - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : sxx === syy ? 1 : 0;
}
