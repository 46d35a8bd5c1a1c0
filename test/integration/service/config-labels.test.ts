// A label typo in the config (detector.labels.allow / deny / perLabel) used to mean "no events, ever";
// `tsn serve` now stops at start, naming the label, where it is set and the closest model labels.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { convertCheckpoint } from '../../../src/model/convert.js';
import { fixturesDir } from '../../helpers/paths.js';
import { startServe } from './serve-process.js';

const work = mkdtempSync(join(tmpdir(), 'tsn-labels-'));
const modelDir = join(work, 'model');
const LABELS = [
  'falling',
  'waving',
  'running',
  'sitting',
  'standing',
  'walking',
  'jumping',
  'eating',
  'reading',
  'writing',
];

before(async () => {
  writeFileSync(join(work, 'labels.txt'), `${LABELS.join('\n')}\n`);
  await convertCheckpoint({
    checkpointPath: join(fixturesDir, 'reference', 'tsn_r18_c10_p4.pdparams'),
    outDir: modelDir,
    labelsPath: join(work, 'labels.txt'),
  });
});
after(() => rmSync(work, { recursive: true, force: true }));

async function serveWith(lines: readonly string[]): Promise<{ code: number | null; stderr: string }> {
  const config = join(work, `c${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(
    config,
    ['server: { host: 127.0.0.1, port: 0 }', `model: { dir: ${modelDir} }`, ...lines].join('\n'),
  );
  const serve = startServe(['--config', config]);
  const timer = setTimeout(() => serve.child.kill('SIGKILL'), 60_000);
  const code = await serve.exited;
  clearTimeout(timer);
  return { code, stderr: serve.stderr() };
}

test('a label the model does not have stops tsn serve with the label and the closest ones', async () => {
  const allow = await serveWith(['defaults: { detector: { labels: { allow: [falling, wavng] } } }']);
  assert.equal(allow.code, 2, allow.stderr);
  assert.match(
    allow.stderr,
    /^tsn: error E_CONFIG: defaults\.detector\.labels\.allow: the model has no label "wavng"; closest: "waving"/,
  );
  const perLabel = await serveWith([
    'cameras:',
    "  - { id: a, url: 'rtsp://127.0.0.1:1/x', enabled: false, detector: { perLabel: { Runing: { onThreshold: 0.8 } } } }",
  ]);
  assert.equal(perLabel.code, 2, perLabel.stderr);
  assert.match(
    perLabel.stderr,
    /cameras\[0\]\.detector\.perLabel: the model has no label "Runing"; closest: "running"/,
  );
});
