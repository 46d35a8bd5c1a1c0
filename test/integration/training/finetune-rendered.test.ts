// tsn finetune on rendered action clips, tsn eval on held-out ones (new seeds: new backgrounds, figures,
// sizes, places, speeds), the bar: held-out top-1 at least 95%. What decides accuracy on this
// backbone is the number of distinct clips, not passes or epochs (docs/finetune.md, "How many clips"):
// 24 training clips per label (30, 6 held for validation) with one augmented pass plus the centre view.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDemoModel } from '../../../src/model-store/index.js';
import { hasCommand, needs } from '../../helpers/tools.js';
import { silentLog, tsn, tsnJson, type EvalJson } from './helpers.js';

// tsn simulate --render-actions renders these five (simulators/actions/actions.ts ACTION_LABELS).
const LABELS = ['fall', 'jumping_jacks', 'squat', 'walk', 'wave'];

test('finetune on rendered clips of 5 actions, eval on held-out scenes: top-1 at least 95%', async (t) => {
  if (!needs(t, hasCommand('ffmpeg', ['-version']), 'ffmpeg')) return;
  const work = await mkdtemp(join(tmpdir(), 'tsn-finetune-'));
  t.after(() => rm(work, { recursive: true, force: true }));
  const render = (dir: string, clipsPerLabel: number, seed: number) =>
    tsn([
      'simulate',
      '--render-actions',
      join(work, dir),
      '--clips-per-label',
      String(clipsPerLabel),
      '--seed',
      String(seed),
      '--seconds',
      '2.5',
      '--fps',
      '12',
    ]);
  await render('train', 30, 101);
  await render('test', 8, 202);
  const base = await ensureDemoModel(join(work, 'cache'), silentLog);
  const out = join(work, 'mine');
  const trained = await tsnJson<{ labels: string[]; trainClips: number; valClips: number }>([
    'finetune',
    '--model',
    base,
    '--data',
    join(work, 'train'),
    '--out',
    out,
    '--passes',
    '1',
    '--val-split',
    '0.2',
    '--threads',
    '1',
    '--json',
  ]);
  assert.deepEqual(trained.labels, LABELS);
  assert.equal(trained.trainClips + trained.valClips, 150);
  for (const f of [
    'manifest.json',
    'weights.safetensors',
    'labels.txt',
    'training.json',
    'curve.svg',
    'confusion.svg',
    'confusion.json',
    'confusion.txt',
  ])
    assert.ok((await stat(join(out, f))).isFile(), f);
  assert.equal((await readFile(join(out, 'labels.txt'), 'utf8')).trim().split('\n').length, 5);

  const r = await tsnJson<EvalJson>([
    'eval',
    '--model',
    out,
    '--data',
    join(work, 'test'),
    '--threads',
    '1',
    '--json',
  ]);
  t.diagnostic(`held-out top-1 ${r.top1}, confusion ${JSON.stringify(r.confusion)}`);
  assert.equal(r.clips, 40);
  assert.ok(r.top1 >= 0.95, `held-out top-1 ${r.top1}; confusion ${JSON.stringify(r.confusion)}`);
  assert.deepEqual(Object.keys(r.perClass).sort(), LABELS);
});
