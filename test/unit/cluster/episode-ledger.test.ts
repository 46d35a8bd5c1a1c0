// The pure half of the episode ledger: which episodes are open after each event, and which action.ended
// events the next owner of a camera makes for episodes another instance left open.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { endLeftOpen, openAfter } from '../../../src/cluster/episode-ledger.js';
import type { ActionEvent } from '../../../src/domain/index.js';

const started = (episodeId: string, camera = 'cam'): ActionEvent => ({
  schemaVersion: 1,
  id: `start-${episodeId}`,
  type: 'action.started',
  episodeId,
  camera,
  label: 'walking',
  labelIndex: 3,
  score: 0.8,
  peakScore: 0.9,
  startedAt: new Date(1000).toISOString(),
  startedAtMs: 1000,
  endedAt: null,
  endedAtMs: null,
  window: { startMs: 0, endMs: 1000, numSeg: 1 },
  top: [{ index: 3, label: 'walking', score: 0.8 }],
  modelId: 'm',
  instance: 'edge-a',
});
const ended = (episodeId: string): ActionEvent => ({
  ...started(episodeId),
  id: `end-${episodeId}`,
  type: 'action.ended',
  endedAt: new Date(2000).toISOString(),
  endedAtMs: 2000,
  endReason: 'score',
});

test('openAfter adds started episodes and drops ended ones', () => {
  let open = openAfter([], started('e1'));
  open = openAfter(open, started('e2'));
  assert.deepEqual(
    open.map((e) => e.episodeId),
    ['e1', 'e2'],
  );
  open = openAfter(open, ended('e1'));
  assert.deepEqual(
    open.map((e) => e.episodeId),
    ['e2'],
  );
});

test('endLeftOpen ends another instance episodes with reason handover, under this instance, with new ids', () => {
  let n = 0;
  const out = endLeftOpen({ instance: 'edge-a', open: [started('e1')] }, 'edge-b', 5000, () => `id${++n}`);
  assert.equal(out.length, 1);
  const [e] = out;
  assert.equal(e!.type, 'action.ended');
  assert.equal(e!.episodeId, 'e1');
  assert.equal(e!.id, 'id1');
  assert.equal(e!.endReason, 'handover');
  assert.equal(e!.instance, 'edge-b');
  assert.equal(e!.endedAtMs, 5000);
  assert.equal(e!.startedAtMs, 1000);
});

test('endLeftOpen makes nothing for our own record or no record', () => {
  assert.deepEqual(
    endLeftOpen({ instance: 'edge-b', open: [started('e1')] }, 'edge-b', 5000, () => 'x'),
    [],
  );
  assert.deepEqual(
    endLeftOpen(undefined, 'edge-b', 5000, () => 'x'),
    [],
  );
});
