// bench/results/pipeline-serve.svg, rendered from the JSON files bench:pipeline wrote
// (pipeline-serve*.json), never from a run's memory: re-rendering after any run, or with --plot-only,
// gives the same picture of every result kept. One series per (precision, resolution, ingest), plus the
// PyTorch recompute peer; the newest file wins where two measured the same point.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderPlot, type PlotPoint, type PlotSeries } from '../pipeline/svg-plot.js';

/** The fields of a pipeline-serve result file the plot reads. */
export interface ResultFile {
  readonly date: string;
  readonly machine?: { readonly model?: string; readonly cpus?: number };
  readonly rows: readonly {
    readonly precision: string;
    readonly cameras: number;
    readonly resolution: string;
    readonly ingest?: string;
    readonly decode?: string;
    readonly predictionsPerSecond: number;
    readonly latencyMs: { readonly p99AtMost: number | string | null };
    readonly keptUp?: boolean;
  }[];
  readonly pytorchRecompute?: {
    readonly cameras?: number;
    readonly resolution?: string;
    readonly predictionsPerSecond: number;
    readonly latencyMs: { readonly p99: number | null };
    readonly droppedWindows: number;
  } | null;
}

const COLORS = ['#1f77b4', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#17becf', '#e377c2'];

export function plotResults(files: readonly ResultFile[]): string {
  const byLabel = new Map<string, Map<number, PlotPoint>>();
  const add = (label: string, p: PlotPoint): void => {
    const points = byLabel.get(label) ?? new Map<number, PlotPoint>();
    points.set(p.cameras, p);
    byLabel.set(label, points);
  };
  for (const f of [...files].sort((a, b) => a.date.localeCompare(b.date))) {
    for (const r of f.rows) {
      const ingest = r.ingest === 'substream' ? ', 360p substream' : '';
      const decode =
        r.decode === 'keyframes' ? ', keyframes only' : r.decode === 'picked' ? ', picked frames' : '';
      add(`${r.precision} ${r.resolution}${ingest}${decode}`, {
        cameras: r.cameras,
        predictionsPerSecond: r.predictionsPerSecond,
        latencyP99Ms: typeof r.latencyMs.p99AtMost === 'number' ? r.latencyMs.p99AtMost : Infinity,
        behind: r.keptUp === false,
      });
    }
    const py = f.pytorchRecompute;
    if (py?.cameras !== undefined) {
      add(`PyTorch recompute ${py.resolution ?? ''}`.trim(), {
        cameras: py.cameras,
        predictionsPerSecond: py.predictionsPerSecond,
        latencyP99Ms: py.latencyMs.p99 ?? Infinity,
        behind: py.droppedWindows > 0 || py.predictionsPerSecond < 0.95 * py.cameras,
      });
    }
  }
  const series: PlotSeries[] = [...byLabel.entries()].map(([label, points], i) => ({
    label,
    color: label.startsWith('PyTorch') ? '#d62728' : (COLORS[i % COLORS.length] ?? '#000'),
    dashed: label.startsWith('PyTorch') || label.startsWith('fp32'),
    points: [...points.values()].sort((a, b) => a.cameras - b.cameras),
  }));
  const machine = files.at(-1)?.machine;
  return renderPlot(
    'tsn serve: cameras at 1 prediction/s each (real footage, simulated RTSP)',
    files.length === 0
      ? 'no results yet: run npm run bench:pipeline -- --preset ...'
      : `${machine?.cpus ?? '?'} x ${machine?.model ?? '?'}; hollow: fell behind or dropped work`,
    series,
  );
}

/** Reads every pipeline-serve*.json in `resultsDir` and writes pipeline-serve.svg next to them. */
export function writePlot(resultsDir: string): string {
  const files = readdirSync(resultsDir)
    .filter((n) => /^pipeline-serve.*\.json$/.test(n))
    .map((n) => JSON.parse(readFileSync(join(resultsDir, n), 'utf8')) as ResultFile);
  const out = join(resultsDir, 'pipeline-serve.svg');
  writeFileSync(out, plotResults(files));
  return out;
}
