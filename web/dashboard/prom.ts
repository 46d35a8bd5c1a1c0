// Just enough of the Prometheus text format for the stats panel: sums of a metric's samples by name. No DOM
// here: test/unit/web/dashboard-prom.test.ts compiles it for node.
export type MetricSums = ReadonlyMap<string, number>;

export function sumMetrics(text: string): MetricSums {
  const sums = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{[^}]*\})?\s+(\S+)/.exec(line);
    if (match === null) continue;
    const value = Number(match[2]);
    if (!Number.isFinite(value)) continue;
    const name = match[1] as string;
    sums.set(name, (sums.get(name) ?? 0) + value);
  }
  return sums;
}

export interface Throughput {
  readonly framesPerS: number;
  readonly predictionsPerS: number;
  readonly queueDepth: number;
  readonly inferenceMs: number | null;
  /** Segment frames dropped by the full inference queue since the service started. */
  readonly queueDrops: number;
}

/** Rates between two scrapes taken dtS seconds apart. */
export function throughput(before: MetricSums, after: MetricSums, dtS: number): Throughput {
  const delta = (name: string) => Math.max(0, (after.get(name) ?? 0) - (before.get(name) ?? 0));
  const calls = delta('tsn_inference_seconds_count');
  return {
    framesPerS: delta('tsn_camera_frames_total') / dtS,
    predictionsPerS: delta('tsn_camera_predictions_total') / dtS,
    queueDepth: after.get('tsn_queue_depth') ?? 0,
    inferenceMs: calls > 0 ? (delta('tsn_inference_seconds_sum') / calls) * 1000 : null,
    queueDrops: after.get('tsn_camera_queue_drops_total') ?? 0,
  };
}
