// deploy/grafana/tsn-stream.json: a Grafana dashboard that parses, has the fields Grafana needs to import
// it, and asks Prometheus only for metrics the service really exports.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CameraManager } from '../../../src/api/index.js';
import { createMetricsRegistry } from '../../../src/service/metrics.js';
import { repoRoot } from '../../helpers/paths.js';

interface Target {
  refId?: unknown;
  expr?: unknown;
}
interface Panel {
  id?: unknown;
  type?: unknown;
  title?: unknown;
  gridPos?: { x?: unknown; y?: unknown; w?: unknown; h?: unknown };
  datasource?: { type?: unknown; uid?: unknown };
  targets?: Target[];
}

const dashboard = JSON.parse(
  readFileSync(join(repoRoot, 'deploy', 'grafana', 'tsn-stream.json'), 'utf8'),
) as Record<string, unknown>;
const panels = dashboard.panels as Panel[];

/** Every series name the service's registry exposes (histograms as _bucket, _sum, _count). */
async function exportedNames(): Promise<Set<string>> {
  const cameras: CameraManager = {
    list: () => [],
    get: () => undefined,
    add: () => Promise.reject(new Error('unused')),
    patch: () => Promise.reject(new Error('unused')),
    remove: () => Promise.reject(new Error('unused')),
  };
  const registry = createMetricsRegistry({
    pipeline: () => undefined,
    drainSamples: () => undefined,
    cameras,
    nats: () => ({ connected: false, buffered: 0, dropped: 0, published: 0, publishFailures: 0 }),
    webSocket: () => ({ clients: 0, messagesSent: 0, slowConsumerDisconnects: 0 }),
  });
  const names = new Set<string>();
  for (const metric of await registry.getMetricsAsJSON()) {
    names.add(metric.name);
    if (String(metric.type) === 'histogram')
      for (const suffix of ['_bucket', '_sum', '_count']) names.add(metric.name + suffix);
  }
  return names;
}

test('the Grafana dashboard has the top-level fields an import needs', () => {
  assert.equal(typeof dashboard.title, 'string');
  assert.match(String(dashboard.uid), /^[A-Za-z0-9_-]{1,40}$/);
  assert.equal(typeof dashboard.schemaVersion, 'number');
  assert.ok((dashboard.schemaVersion as number) >= 36, 'a schema Grafana 9+ reads');
  assert.ok(Array.isArray(panels) && panels.length >= 6);
  const variables = (dashboard.templating as { list: { name: string; type: string }[] }).list;
  assert.deepEqual(
    variables.map((v) => [v.name, v.type]),
    [
      ['datasource', 'datasource'],
      ['camera', 'query'],
    ],
  );
  assert.equal(typeof (dashboard.time as { from?: unknown }).from, 'string');
});

test('every panel has a unique id, a known type, a grid position inside 24 columns, and targets with unique refIds', () => {
  const ids = new Set<unknown>();
  for (const panel of panels) {
    const where = `panel ${String(panel.title)}`;
    assert.ok(Number.isInteger(panel.id) && !ids.has(panel.id), `${where}: unique integer id`);
    ids.add(panel.id);
    assert.ok(['timeseries', 'stat', 'gauge', 'state-timeline'].includes(String(panel.type)), where);
    assert.equal(typeof panel.title, 'string');
    const { x, y, w, h } = panel.gridPos ?? {};
    for (const v of [x, y, w, h]) assert.ok(Number.isInteger(v) && (v as number) >= 0, `${where}: gridPos`);
    assert.ok((x as number) + (w as number) <= 24, `${where}: inside 24 columns`);
    assert.deepEqual(panel.datasource, { type: 'prometheus', uid: '${datasource}' }, where);
    const refIds = (panel.targets ?? []).map((t) => t.refId);
    assert.ok(refIds.length > 0, `${where}: has targets`);
    assert.equal(new Set(refIds).size, refIds.length, `${where}: unique refIds`);
  }
});

test('every PromQL expression names only metrics the service exports, and the issue asks for are all there', async () => {
  const exported = await exportedNames();
  const used = new Set<string>();
  const exprs = panels.flatMap((p) => (p.targets ?? []).map((t) => String(t.expr)));
  const variableQuery = (dashboard.templating as { list: { definition?: string }[] }).list[1]?.definition;
  for (const expr of [...exprs, String(variableQuery)]) {
    const names = expr.match(/\btsn_[a-z0-9_]+/g) ?? [];
    assert.ok(names.length > 0, `"${expr}" names no tsn_ metric`);
    for (const name of names) {
      assert.ok(exported.has(name), `"${expr}" uses ${name}, which the service does not export`);
      used.add(name);
    }
  }
  for (const wanted of [
    'tsn_camera_fps',
    'tsn_camera_predictions_total',
    'tsn_latency_seconds_bucket',
    'tsn_queue_depth',
    'tsn_camera_queue_drops_total',
    'tsn_inference_seconds_sum',
  ])
    assert.ok(used.has(wanted), `the dashboard plots ${wanted}`);
});
