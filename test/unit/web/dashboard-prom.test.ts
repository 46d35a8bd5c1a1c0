// The dashboard's throughput panel (web/dashboard/prom.ts, pure) reads the service's own /metrics text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sumMetrics, throughput } from '../../../web/dashboard/prom.js';
import { repoRoot } from '../../helpers/paths.js';

const scrape = (frames: number, predictions: number, inferenceSum: number, inferenceCount: number) => `
# HELP tsn_camera_frames_total Frames received from the camera source
# TYPE tsn_camera_frames_total counter
tsn_camera_frames_total{camera="a"} ${frames}
tsn_camera_frames_total{camera="b"} ${frames}
tsn_camera_predictions_total{camera="a"} ${predictions}
tsn_camera_queue_drops_total{camera="a"} 3
tsn_queue_depth 5
tsn_inference_seconds_bucket{le="0.1"} ${inferenceCount}
tsn_inference_seconds_sum ${inferenceSum}
tsn_inference_seconds_count ${inferenceCount}
`;

test('sums samples across labels and turns two scrapes into rates and a mean inference time', () => {
  const before = sumMetrics(scrape(100, 10, 1, 20));
  assert.equal(before.get('tsn_camera_frames_total'), 200);
  const after = sumMetrics(scrape(150, 14, 1.5, 30));
  assert.deepEqual(throughput(before, after, 2), {
    framesPerS: 50,
    predictionsPerS: 2,
    queueDepth: 5,
    inferenceMs: 50,
    queueDrops: 3,
  });
  assert.equal(throughput(after, after, 2).inferenceMs, null, 'no call in between: no figure');
});

test('every metric the panel reads is one the service exports (src/service/metrics.ts)', () => {
  const source = readFileSync(join(repoRoot, 'web', 'dashboard', 'prom.ts'), 'utf8');
  const service = readFileSync(join(repoRoot, 'src', 'service', 'metrics.ts'), 'utf8');
  for (const name of new Set(source.match(/tsn_[a-z_]+/g) ?? [])) {
    const base = name.replace(/_(sum|count|bucket)$/, '');
    assert.ok(service.includes(`'${base}'`), `${name} is not exported by the service`);
  }
});
