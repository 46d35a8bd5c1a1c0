// Work the service lost during a step, from its Prometheus counters (deltas between two scrapes): frames
// dropped from the full inference queue, windows lost at the head queue or abandoned for a lost segment
// feature, segments with no frame, gaps in a camera's frames. "No drops" means all of these stay 0.
export const DROP_COUNTERS = [
  'tsn_camera_queue_drops_total',
  'tsn_head_dropped_total',
  'tsn_windows_abandoned_total',
  'tsn_camera_segments_missing_total',
  'tsn_camera_gaps_total',
] as const;

export type CounterTotals = Readonly<Record<string, number>>;

/** Each counter summed over its labels. */
export function parseCounterTotals(metricsText: string, names: readonly string[]): CounterTotals {
  const totals: Record<string, number> = Object.fromEntries(names.map((n) => [n, 0]));
  for (const line of metricsText.split('\n')) {
    const m = /^([a-z_]+)(?:\{[^}]*\})?\s+(\S+)/.exec(line);
    const name = m?.[1] ?? '';
    if (name in totals) totals[name] = (totals[name] ?? 0) + Number(m?.[2]);
  }
  return totals;
}

export function counterDeltas(before: CounterTotals, after: CounterTotals): CounterTotals {
  return Object.fromEntries(Object.keys(after).map((k) => [k, (after[k] ?? 0) - (before[k] ?? 0)]));
}

export async function scrapeMetricsText(serviceUrl: string): Promise<string> {
  const response = await fetch(`${serviceUrl}/metrics`);
  return response.text();
}
