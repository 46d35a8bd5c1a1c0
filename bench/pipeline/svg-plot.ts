// A hand-written SVG of the pipeline benchmark: predictions/s (top) and p99 latency (bottom) against the
// number of cameras, one series per (resolution, reuse|recompute). Latency is on a log scale (a pipeline
// that falls behind goes from 0.5 s to tens of seconds). Hollow points: steps that fell behind.
export interface PlotPoint {
  readonly cameras: number;
  readonly predictionsPerSecond: number;
  readonly latencyP99Ms: number;
  readonly behind: boolean;
}

export interface PlotSeries {
  readonly label: string;
  readonly color: string;
  readonly dashed: boolean;
  readonly points: readonly PlotPoint[];
}

const WIDTH = 760;
const PANEL_HEIGHT = 260;
const MARGIN = { left: 70, right: 200, top: 40, bottom: 45 };

export function renderPlot(title: string, subtitle: string, series: readonly PlotSeries[]): string {
  const all = series.flatMap((s) => s.points);
  const maxCameras = niceCeil(Math.max(4, ...all.map((p) => p.cameras)));
  const maxRate = niceCeil(Math.max(maxCameras, ...all.map((p) => p.predictionsPerSecond)));
  const finiteLatency = all.map((p) => p.latencyP99Ms).filter((v) => Number.isFinite(v) && v > 0);
  const minLatency = 10 ** Math.floor(Math.log10(Math.min(100, ...finiteLatency)));
  const maxLatency = 10 ** Math.ceil(Math.log10(Math.max(2000, ...finiteLatency)));
  const top = panel(
    0,
    'predictions / s',
    maxCameras,
    linearScale(maxRate),
    series,
    (p) => p.predictionsPerSecond,
    [{ value: null, label: 'real time: 1 per camera per s' }],
  );
  const bottom = panel(
    1,
    'p99 latency (ms, log)',
    maxCameras,
    logScale(minLatency, maxLatency),
    series,
    (p) => p.latencyP99Ms,
    [{ value: 1000, label: 'target 1 s' }],
  );
  const height = MARGIN.top + 2 * PANEL_HEIGHT + 30;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${WIDTH / 2}" y="20" text-anchor="middle" font-size="15" font-weight="bold">${escape(title)}</text>`,
    `<text x="${WIDTH / 2}" y="36" text-anchor="middle" fill="#555">${escape(subtitle)}</text>`,
    top,
    bottom,
    legend(series),
    '</svg>',
    '',
  ].join('\n');
}

/** Maps a value to 0..1 of the panel height, and the tick values to label. */
interface Scale {
  readonly max: number;
  fraction(value: number): number;
  readonly ticks: readonly number[];
}

function linearScale(max: number): Scale {
  return { max, fraction: (v) => Math.min(v, max) / max, ticks: ticks(max) };
}

function logScale(min: number, max: number): Scale {
  const lo = Math.log10(min);
  const hi = Math.log10(max);
  const out: number[] = [];
  for (let decade = min; decade <= max; decade *= 10) {
    for (const m of [1, 2, 5]) if (decade * m <= max) out.push(decade * m);
  }
  return {
    max,
    fraction: (v) => (Math.log10(Math.min(Math.max(v, min), max)) - lo) / (hi - lo),
    ticks: out,
  };
}

interface Guide {
  /** null: the diagonal y = x (ideal rate). */
  readonly value: number | null;
  readonly label: string;
}

function panel(
  index: number,
  yLabel: string,
  maxX: number,
  scale: Scale,
  series: readonly PlotSeries[],
  y: (p: PlotPoint) => number,
  guides: readonly Guide[],
): string {
  const x0 = MARGIN.left;
  const y0 = MARGIN.top + index * (PANEL_HEIGHT + 20);
  const w = WIDTH - MARGIN.left - MARGIN.right;
  const h = PANEL_HEIGHT - MARGIN.bottom;
  const sx = (v: number) => x0 + (v / maxX) * w;
  const sy = (v: number) => y0 + h - scale.fraction(v) * h;
  const parts: string[] = [`<g>`];
  for (const t of scale.ticks) {
    parts.push(`<line x1="${x0}" x2="${x0 + w}" y1="${sy(t)}" y2="${sy(t)}" stroke="#eee"/>`);
    parts.push(`<text x="${x0 - 6}" y="${sy(t) + 4}" text-anchor="end">${t}</text>`);
  }
  for (const t of ticks(maxX)) {
    parts.push(`<line x1="${sx(t)}" x2="${sx(t)}" y1="${y0}" y2="${y0 + h}" stroke="#f4f4f4"/>`);
    parts.push(`<text x="${sx(t)}" y="${y0 + h + 16}" text-anchor="middle">${t}</text>`);
  }
  parts.push(`<rect x="${x0}" y="${y0}" width="${w}" height="${h}" fill="none" stroke="#999"/>`);
  parts.push(
    `<text x="${x0 + w / 2}" y="${y0 + h + 34}" text-anchor="middle">cameras</text>`,
    `<text transform="translate(${x0 - 48} ${y0 + h / 2}) rotate(-90)" text-anchor="middle">${escape(yLabel)}</text>`,
  );
  for (const g of guides) {
    const end = Math.min(maxX, scale.max);
    const [gx1, gy1, gx2, gy2] =
      g.value === null ? [sx(0), sy(0), sx(end), sy(end)] : [sx(0), sy(g.value), sx(maxX), sy(g.value)];
    // The diagonal is explained in the legend (its far end sits where the subtitle is).
    parts.push(
      `<line x1="${gx1}" y1="${gy1}" x2="${gx2}" y2="${gy2}" stroke="#888" stroke-dasharray="2 4"/>`,
    );
    if (g.value !== null)
      parts.push(
        `<text x="${gx2 - 4}" y="${gy2 - 6}" text-anchor="end" fill="#666">${escape(g.label)}</text>`,
      );
  }
  for (const s of series) {
    const points = s.points.filter((p) => Number.isFinite(y(p)));
    if (points.length === 0) continue;
    const path = points.map((p) => `${sx(p.cameras).toFixed(1)},${sy(y(p)).toFixed(1)}`).join(' ');
    const dash = s.dashed ? ' stroke-dasharray="6 4"' : '';
    parts.push(`<polyline points="${path}" fill="none" stroke="${s.color}" stroke-width="2"${dash}/>`);
    for (const p of points) {
      const clipped = y(p) > scale.max ? ' (off scale)' : '';
      const fill = p.behind ? 'white' : s.color;
      const tip = `${s.label}: ${p.cameras} cameras, ${Math.round(y(p) * 100) / 100}${clipped}${p.behind ? ', fell behind' : ''}`;
      parts.push(
        `<circle cx="${sx(p.cameras).toFixed(1)}" cy="${sy(y(p)).toFixed(1)}" r="4" fill="${fill}" stroke="${s.color}" stroke-width="1.5"><title>${escape(tip)}</title></circle>`,
      );
    }
  }
  parts.push('</g>');
  return parts.join('\n');
}

function legend(series: readonly PlotSeries[]): string {
  const x = WIDTH - MARGIN.right + 16;
  const note = MARGIN.top + 30 + series.length * 20;
  const hollow =
    `<circle cx="${x + 14}" cy="${note}" r="4" fill="white" stroke="#333" stroke-width="1.5"/>` +
    `<text x="${x + 34}" y="${note + 4}">fell behind</text>` +
    `<line x1="${x}" x2="${x + 28}" y1="${note + 20}" y2="${note + 20}" stroke="#888" stroke-dasharray="2 4"/>` +
    `<text x="${x + 34}" y="${note + 24}">real time (top)</text>`;
  return series
    .map((s, i) => {
      const y = MARGIN.top + 20 + i * 20;
      const dash = s.dashed ? ' stroke-dasharray="6 4"' : '';
      return (
        `<line x1="${x}" x2="${x + 28}" y1="${y}" y2="${y}" stroke="${s.color}" stroke-width="2"${dash}/>` +
        `<text x="${x + 34}" y="${y + 4}">${escape(s.label)}</text>`
      );
    })
    .concat(hollow)
    .join('\n');
}

/** 1, 2, 2.5, 5 x 10^k at or above value. */
function niceCeil(value: number): number {
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}

function ticks(max: number): number[] {
  const step = niceCeil(max / 6);
  const out: number[] = [];
  for (let t = 0; t <= max + 1e-9; t += step) out.push(Math.round(t * 100) / 100);
  return out;
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
