import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bucketPercentileMs, parseLatencyBuckets } from '../../../bench/serve/latency-histogram.js';

const scrape = (counts: readonly number[]): string =>
  [
    '# HELP tsn_latency_seconds x',
    ...['0.25', '0.5', '1', '+Inf'].map((le, i) => `tsn_latency_seconds_bucket{le="${le}"} ${counts[i]}`),
    `tsn_latency_seconds_count ${counts[3]}`,
  ].join('\n');

test('latency percentiles come from the bucket counts of the measured interval only', () => {
  const before = parseLatencyBuckets(scrape([100, 100, 100, 100]));
  const after = parseLatencyBuckets(scrape([150, 190, 199, 200]));
  assert.equal(bucketPercentileMs(before, after, 50), 250);
  assert.equal(bucketPercentileMs(before, after, 90), 500);
  assert.equal(bucketPercentileMs(before, after, 99), 1000);
  assert.equal(bucketPercentileMs(after, after, 50), null);
});
