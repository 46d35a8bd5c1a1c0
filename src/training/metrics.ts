// Clip-level accuracy: top-1, top-5, per class, confusion matrix (rows = truth, columns = prediction).

export interface EvalResult {
  readonly clips: number;
  readonly top1: number;
  readonly top5: number;
  /** label -> top-1 accuracy over that label's clips (labels without clips are left out). */
  readonly perClass: Readonly<Record<string, number>>;
  /** confusion[truth][predicted] clip counts, indexed like `labels`. */
  readonly confusion: readonly (readonly number[])[];
  readonly labels: readonly string[];
}

/** Ranks classes by logit, highest first; ties keep the lower index. */
export function rankOf(logits: ArrayLike<number>): number[] {
  return Array.from({ length: logits.length }, (_, i) => i).sort(
    (a, b) => (logits[b] as number) - (logits[a] as number) || a - b,
  );
}

export function evaluate(
  results: readonly { readonly label: number; readonly logits: ArrayLike<number> }[],
  labels: readonly string[],
): EvalResult {
  const confusion = labels.map(() => labels.map(() => 0));
  let top1 = 0;
  let top5 = 0;
  for (const r of results) {
    const ranked = rankOf(r.logits);
    const row = confusion[r.label] as number[];
    row[ranked[0] as number] = (row[ranked[0] as number] as number) + 1;
    if (ranked[0] === r.label) top1++;
    if (ranked.slice(0, 5).includes(r.label)) top5++;
  }
  const perClass: Record<string, number> = {};
  confusion.forEach((row, i) => {
    const n = row.reduce((a, b) => a + b, 0);
    if (n > 0) perClass[labels[i] as string] = (row[i] as number) / n;
  });
  const n = Math.max(1, results.length);
  return { clips: results.length, top1: top1 / n, top5: top5 / n, perClass, confusion, labels };
}
