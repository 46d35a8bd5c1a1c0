import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixturesDir, repoRoot, tsnBin } from '../../helpers/paths.js';

const reference = join(fixturesDir, 'reference', 'tsn_r18_c10_p4.pdparams');

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function tsn(args: readonly string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [tsnBin, ...args], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

let tmp = '';
before(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'tsn-cli-convert-'));
});
after(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('tsn convert (real process)', () => {
  test('converts the reference checkpoint and prints a summary', async () => {
    const out = join(tmp, 'model');
    const labels = join(tmp, 'labels.txt');
    await writeFile(labels, Array.from({ length: 10 }, (_, i) => `${i} act_${i}`).join('\n'));
    const r = await tsn(['convert', reference, '--out', out, '--labels', labels, '--num-seg', '3']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /ResNet-18, 10 classes, 102 tensors/);
    assert.match(r.stdout, /sha256 +[0-9a-f]{64}/);
    assert.deepEqual((await readdir(out)).sort(), ['labels.txt', 'manifest.json', 'weights.safetensors']);
    const manifest = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    assert.equal(manifest.depth, 18);
    assert.equal(manifest.defaultNumSeg, 3);
    assert.equal((await readFile(join(out, 'labels.txt'), 'utf8')).split('\n')[9], 'act_9');
  });

  test('bad input exits 2 with the error code on stderr and writes nothing', async () => {
    const junk = join(tmp, 'junk.pdparams');
    await writeFile(junk, 'not a checkpoint');
    const out = join(tmp, 'junk-out');
    const r = await tsn(['convert', junk, '--out', out]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /E_CKPT_NOT_PICKLE/);
    await assert.rejects(readdir(out), { code: 'ENOENT' });
  });

  test('usage errors and an existing output exit 2 with their codes', async () => {
    const noOut = await tsn(['convert', reference]);
    assert.equal(noOut.code, 2);
    assert.match(noOut.stderr, /E_USAGE/);
    const badSeg = await tsn(['convert', reference, '--out', join(tmp, 'x'), '--num-seg', 'abc']);
    assert.equal(badSeg.code, 2);
    assert.match(badSeg.stderr, /E_USAGE/);
    const exists = await tsn(['convert', reference, '--out', tmp]);
    assert.equal(exists.code, 2);
    assert.match(exists.stderr, /E_MODEL_OUT_EXISTS/);
  });
});
