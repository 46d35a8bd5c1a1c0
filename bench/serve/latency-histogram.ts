// The service's own end-to-end latency (window's last frame, wall clock at arrival -> prediction), read
// from its Prometheus histogram tsn_latency_seconds: bucket counts before and after the measured
// interval, so only that interval counts. Percentiles are bucket upper bounds ("at most").

export type Buckets = ReadonlyMap<number, number>;

export function parseLatencyBuckets(metricsText: string): Buckets {
  const buckets = new Map<number, number>();
  for (const line of metricsText.split('\n')) {
    const m = /^tsn_latency_seconds_bucket\{[^}]*le="([^"]+)"[^}]*\}\s+(\S+)/.exec(line);
    if (m === null) continue;
    const le = m[1] === '+Inf' ? Infinity : Number(m[1]);
    buckets.set(le, (buckets.get(le) ?? 0) + Number(m[2]));
  }
  return buckets;
}

/** Upper bound (ms) of the bucket holding percentile p of the samples between two scrapes. */
export function bucketPercentileMs(before: Buckets, after: Buckets, p: number): number | null {
  const bounds = [...after.keys()].sort((a, b) => a - b);
  const total = (after.get(Infinity) ?? 0) - (before.get(Infinity) ?? 0);
  if (total <= 0) return null;
  for (const le of bounds) {
    const cumulative = (after.get(le) ?? 0) - (before.get(le) ?? 0);
    if (cumulative >= (p / 100) * total) return Number.isFinite(le) ? le * 1000 : Infinity;
  }
  return null;
}

export async function scrapeLatency(serviceUrl: string): Promise<Buckets> {
  const response = await fetch(`${serviceUrl}/metrics`);
  return parseLatencyBuckets(await response.text());
}
