// The same finetune/eval code on non-synthetic footage: clips cut from PaddleVideo's example.avi (archery)
// against clips of ffmpeg's procedural sources. Held out for eval: cuts from the last half of the video
// (training cuts end at 2.7 s, held-out ones start at 3.0 s) and other procedural sources and settings.
// Every random source is seeded (cellauto's grid is random without one): the same clips every run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDemoModel } from '../../../src/model-store/index.js';
import { fixturesDir } from '../../helpers/paths.js';
import { hasCommand, needs } from '../../helpers/tools.js';
import { ffmpeg, silentLog, tsnJson, type EvalJson } from './helpers.js';

const example = join(fixturesDir, 'reference', 'example.avi');
const h264 = ['-an', '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p'];

async function cut(out: string, startS: number, filter: string): Promise<void> {
  await ffmpeg(['-ss', String(startS), '-t', '1.2', '-i', example, '-vf', filter, ...h264, out]);
}

async function lavfi(out: string, source: string): Promise<void> {
  await ffmpeg(['-f', 'lavfi', '-i', source, '-t', '1.2', '-vf', 'scale=320:240', ...h264, out]);
}

async function makeSet(
  dir: string,
  cuts: readonly [number, string][],
  sources: readonly string[],
): Promise<void> {
  await mkdir(join(dir, 'archery'), { recursive: true });
  await mkdir(join(dir, 'synthetic'), { recursive: true });
  for (const [i, [s, f]] of cuts.entries()) await cut(join(dir, 'archery', `cut${i}.mp4`), s, f);
  for (const [i, src] of sources.entries()) await lavfi(join(dir, 'synthetic', `src${i}.mp4`), src);
}

test('finetune separates real footage (example.avi cuts) from procedural video; held-out top-1 = 100%', async (t) => {
  if (!needs(t, hasCommand('ffmpeg', ['-version']), 'ffmpeg')) return;
  const work = await mkdtemp(join(tmpdir(), 'tsn-finetune-real-'));
  t.after(() => rm(work, { recursive: true, force: true }));
  await makeSet(
    join(work, 'train'),
    [
      [0, 'null'],
      [0.3, 'hflip'],
      [0.6, 'null'],
      [0.9, 'hflip'],
      [1.2, 'crop=280:210,scale=320:240'],
      [1.5, 'null'],
    ],
    [
      'testsrc2=s=320x240:r=25',
      'mandelbrot=s=320x240:r=25',
      'life=s=320x240:r=25:seed=1:mold=10',
      'cellauto=s=320x240:r=25:rule=30:seed=2',
      'smptebars=s=320x240:r=25',
      'sierpinski=s=320x240:r=25:seed=3',
    ],
  );
  await makeSet(
    join(work, 'test'),
    [
      [3.0, 'null'],
      [3.3, 'hflip'],
      [3.6, 'crop=260:200,scale=320:240'],
      [4.0, 'null'],
    ],
    [
      'testsrc2=s=400x300:r=25',
      'mandelbrot=s=320x240:r=25:start_x=-0.5:start_scale=2',
      'life=s=320x240:r=25:seed=7:ratio=0.3',
      'cellauto=s=320x240:r=25:rule=110:seed=1',
    ],
  );
  const base = await ensureDemoModel(join(work, 'cache'), silentLog);
  const out = join(work, 'model');
  await tsnJson([
    'finetune',
    '--model',
    base,
    '--data',
    join(work, 'train'),
    '--out',
    out,
    '--num-seg',
    '4',
    '--passes',
    '2',
    '--val-split',
    '0',
    '--epochs',
    '40',
    '--threads',
    '1',
    '--json',
  ]);
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
  assert.equal(r.clips, 8);
  assert.equal(r.top1, 1, `confusion ${JSON.stringify(r.confusion)}`);
});
