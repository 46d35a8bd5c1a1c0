import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { convertCheckpoint } from '../../../src/model/convert.js';
import { fixturesDir, tsnBin } from '../../helpers/paths.js';
import { processesMentioning } from './processes.js';

interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function tsn(args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(process.execPath, [tsnBin, ...args], { env, maxBuffer: 1 << 24 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

const reference = (name: string): string => join(fixturesDir, 'reference', name);

describe('tsn predict as a real process', () => {
  let dir = '';
  let modelDir = '';
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tsn-cli-predict-'));
    modelDir = join(dir, 'model');
    await convertCheckpoint({ checkpointPath: reference('tsn_r18_c10_p4.pdparams'), outDir: modelDir });
  });
  after(() => {
    assert.deepEqual(processesMentioning(dir), [], 'no process left behind');
    rmSync(dir, { recursive: true, force: true });
  });

  test('--json: stdout is exactly one JSON object with the contract fields and the reference logits', async () => {
    const video = reference('clip_340x256.mp4');
    const r = await tsn([
      'predict',
      video,
      '--model',
      modelDir,
      '--num-seg',
      '8',
      '--crop',
      'center',
      '--json',
      '--threads',
      '1',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    assert.equal(r.stdout.trim().split('\n').length, 1);
    const ref = JSON.parse(readFileSync(reference('ref_340x256_seg8_center.json'), 'utf8')) as {
      frames: number;
      indices: number[];
      logits: number[];
      top5: [number, number][];
    };
    assert.equal(out.frames, ref.frames);
    assert.deepEqual(out.indices, ref.indices);
    assert.equal(out.numSeg, 8);
    assert.equal(out.crop, 'center');
    assert.deepEqual(out.inputShape, [1, 8, 3, 224, 224]);
    assert.deepEqual((out.backend as { name: string }).name, 'onnx');
    assert.match((out.model as { id: string }).id, /^model@[0-9a-f]{12}$/);
    const logits = out.logits as number[];
    assert.equal(logits.length, 10);
    logits.forEach((v, i) => assert.ok(Math.abs(v - ref.logits[i]!) < 1e-3, `logit ${i}`));
    const top = out.top as { index: number; label: string; score: number }[];
    assert.equal(top.length, 5);
    assert.deepEqual(
      top.map((t) => t.index),
      ref.top5.map(([i]) => i),
    );
    top.forEach((t) => {
      assert.equal(typeof t.label, 'string');
      assert.ok(t.score > 0 && t.score < 1);
    });
  });

  test('without --json: a readable table naming the top classes', async () => {
    const r = await tsn([
      'predict',
      reference('example.avi'),
      '--model',
      modelDir,
      '--crop',
      'center',
      '--top-k',
      '3',
      '--threads',
      '1',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /131 frames, 320x240 -> 341x256/);
    assert.match(r.stdout, /8 segments x CenterCrop = 8 images/);
    const rows = r.stdout.split('\n').filter((l) => /^\s+\d+\s+\d+\s+\S+\s+0\.\d{4}$/.test(l));
    assert.equal(rows.length, 3);
  });

  test('errors: code on stderr, exit status 2, nothing on stdout', async () => {
    const missing = await tsn(['predict', join(dir, 'missing.mp4'), '--model', modelDir, '--json']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /E_VIDEO_OPEN/);
    assert.equal(missing.stdout, '');

    const badCrop = await tsn(['predict', reference('example.avi'), '--model', modelDir, '--crop', 'five']);
    assert.equal(badCrop.code, 2);
    assert.match(badCrop.stderr, /E_USAGE/);

    const noModel = await tsn(['predict', reference('example.avi')]);
    assert.equal(noModel.code, 2);
    assert.match(noModel.stderr, /E_USAGE/);

    const noFfmpeg = await tsn(['predict', reference('example.avi'), '--model', modelDir], {
      ...process.env,
      FFMPEG_PATH: join(dir, 'no-ffmpeg-here'),
    });
    assert.equal(noFfmpeg.code, 2);
    assert.match(noFfmpeg.stderr, /E_FFMPEG_MISSING/);
  });
});
