// Small numeric helpers shared by the window head and the detector.
import type { LabelScore } from '../domain/index.js';

/** Numerically stable softmax (float64 accumulation). */
export function softmax(logits: Float32Array): Float32Array {
  let max = Number.NEGATIVE_INFINITY;
  for (const v of logits) if (v > max) max = v;
  const out = new Float32Array(logits.length);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) {
    const e = Math.exp((logits[i] ?? 0) - max);
    out[i] = e;
    sum += e;
  }
  for (let i = 0; i < out.length; i++) out[i] = (out[i] ?? 0) / sum;
  return out;
}

/** The k highest scores, best first; ties keep the lower index first. O(n*k): k is small (top-5). */
export function topK(scores: Float32Array, k: number, labels: readonly string[]): LabelScore[] {
  const best: number[] = [];
  for (let i = 0; i < scores.length; i++) {
    const v = scores[i] ?? 0;
    if (best.length === k && v <= (scores[best[k - 1] ?? 0] ?? 0)) continue;
    let at = best.length;
    while (at > 0 && v > (scores[best[at - 1] ?? 0] ?? 0)) at--;
    best.splice(at, 0, i);
    if (best.length > k) best.pop();
  }
  return best.map((index) => ({ index, label: labels[index] ?? String(index), score: scores[index] ?? 0 }));
}
