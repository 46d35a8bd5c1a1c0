// Human-readable results: per-class accuracy and confusion as text, and SVG plots (confusion, curve).
import type { EvalResult } from './metrics.js';
import type { EpochStats } from './train-head.js';

const pct = (v: number): string => `${(v * 100).toFixed(1)}%`;

/** Only labels that occur (as truth or prediction) are shown, so a 400-class model stays readable. */
function shownLabels(r: EvalResult): number[] {
  return r.labels
    .map((_, i) => i)
    .filter((i) => (r.confusion[i] ?? []).some((v) => v > 0) || r.confusion.some((row) => (row[i] ?? 0) > 0));
}

export function formatEvalText(r: EvalResult): string {
  const shown = shownLabels(r);
  const width = Math.max(5, ...shown.map((i) => (r.labels[i] as string).length));
  const lines = [
    `clips ${r.clips}   top-1 ${pct(r.top1)}   top-5 ${pct(r.top5)}`,
    '',
    `${'class'.padEnd(width)}  accuracy  clips`,
    ...shown
      .filter((i) => r.perClass[r.labels[i] as string] !== undefined)
      .map((i) => {
        const label = r.labels[i] as string;
        const n = (r.confusion[i] ?? []).reduce((a, b) => a + b, 0);
        return `${label.padEnd(width)}  ${pct(r.perClass[label] as number).padStart(8)}  ${String(n).padStart(5)}`;
      }),
  ];
  if (shown.length <= 20) {
    lines.push('', 'confusion (rows: truth, columns: predicted)');
    const cell = Math.max(4, ...shown.map((i) => String(Math.max(...(r.confusion[i] ?? [0]))).length + 1));
    lines.push(`${''.padEnd(width + 4)}${shown.map((_, k) => `#${k}`.padStart(cell)).join('')}`);
    shown.forEach((i, k) => {
      const row = shown.map((j) => String(r.confusion[i]?.[j] ?? 0).padStart(cell)).join('');
      lines.push(`${`#${k} ${r.labels[i] as string}`.padEnd(width + 4).slice(0, width + 4)}${row}`);
    });
  }
  return `${lines.join('\n')}\n`;
}

export function formatCurveText(curve: readonly EpochStats[]): string {
  const every = Math.max(1, Math.ceil(curve.length / 10));
  const rows = curve.filter((s, i) => i % every === every - 1 || i === curve.length - 1);
  return `${[
    'epoch       lr     loss  train  val',
    ...rows.map(
      (s) =>
        `${String(s.epoch).padStart(5)}  ${s.lr.toExponential(0).padStart(7)}  ${s.loss.toFixed(4)}  ${pct(s.trainAccuracy).padStart(5)}  ${s.valAccuracy === undefined ? '-' : pct(s.valAccuracy)}`,
    ),
  ].join('\n')}\n`;
}

const esc = (s: string): string => s.replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`);

export function confusionSvg(r: EvalResult): string {
  const shown = shownLabels(r).slice(0, 60);
  const cell = 36;
  const left = 140;
  const top = 140;
  const size = shown.length * cell;
  const parts: string[] = [];
  shown.forEach((i, y) => {
    const total = Math.max(
      1,
      (r.confusion[i] ?? []).reduce((a, b) => a + b, 0),
    );
    shown.forEach((j, x) => {
      const v = r.confusion[i]?.[j] ?? 0;
      const shade = Math.round(255 - (v / total) * 200);
      parts.push(
        `<rect x="${left + x * cell}" y="${top + y * cell}" width="${cell}" height="${cell}" fill="rgb(${shade},${shade},255)" stroke="#ccc"/>`,
        `<text x="${left + x * cell + cell / 2}" y="${top + y * cell + cell / 2 + 4}" text-anchor="middle" font-size="12">${v}</text>`,
      );
    });
    const label = esc(r.labels[i] as string);
    parts.push(
      `<text x="${left - 6}" y="${top + y * cell + cell / 2 + 4}" text-anchor="end" font-size="12">${label}</text>`,
      `<text transform="translate(${left + y * cell + cell / 2},${top - 6}) rotate(-60)" font-size="12">${label}</text>`,
    );
  });
  const w = left + size + 20;
  const h = top + size + 40;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" font-family="sans-serif">
<text x="10" y="20" font-size="14">confusion: rows truth, columns predicted; top-1 ${pct(r.top1)} over ${r.clips} clips</text>
${parts.join('\n')}
</svg>
`;
}

export function curveSvg(curve: readonly EpochStats[]): string {
  const w = 640;
  const h = 320;
  const pad = 40;
  const maxLoss = Math.max(1e-9, ...curve.map((s) => s.loss));
  const x = (epoch: number): number => pad + ((epoch - 1) / Math.max(1, curve.length - 1)) * (w - 2 * pad);
  const y = (v: number): number => h - pad - v * (h - 2 * pad);
  const line = (values: readonly (number | undefined)[], colour: string): string => {
    const pts = values.flatMap((v, i) =>
      v === undefined ? [] : [`${x(i + 1).toFixed(1)},${y(v).toFixed(1)}`],
    );
    return pts.length === 0
      ? ''
      : `<polyline fill="none" stroke="${colour}" stroke-width="2" points="${pts.join(' ')}"/>`;
  };
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" font-family="sans-serif">
<rect x="${pad}" y="${pad}" width="${w - 2 * pad}" height="${h - 2 * pad}" fill="none" stroke="#999"/>
<text x="${pad}" y="20" font-size="13">training curve over ${curve.length} epochs: loss / ${maxLoss.toFixed(3)} (red), train accuracy (blue), val accuracy (green)</text>
${line(
  curve.map((s) => s.loss / maxLoss),
  '#c33',
)}
${line(
  curve.map((s) => s.trainAccuracy),
  '#36c',
)}
${line(
  curve.map((s) => s.valAccuracy),
  '#3a3',
)}
</svg>
`;
}
