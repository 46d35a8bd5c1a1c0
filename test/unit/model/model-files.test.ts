// Model inputs must be regular files of a plausible size, checked before a byte is read: a FIFO used to
// hang `tsn convert`, and a 1.5 GB file was read whole before the format check.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync, ftruncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isTsnError } from '../../../src/errors/index.js';
import { readFileHashed } from '../../../src/model/checkpoint.js';
import { fixturesDir, repoRoot, tsnBin } from '../../helpers/paths.js';

function sparse(path: string, head: readonly number[], sizeBytes: number): void {
  const fd = openSync(path, 'w');
  writeSync(fd, Uint8Array.from(head));
  ftruncateSync(fd, sizeBytes);
  closeSync(fd);
}

/** Runs `tsn convert`; a run that hangs is killed after 20 s and reported as such. */
function convert(args: readonly string[]): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [tsnBin, 'convert', ...args], {
    cwd: repoRoot,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => {
    stderr += '[hung: killed after 20 s]';
    child.kill('SIGKILL');
  }, 20_000);
  return new Promise((resolve) =>
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    }),
  );
}

test('tsn convert refuses a FIFO checkpoint or labels file at once with a code', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tsn-fifo-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const fifo = join(dir, 'ckpt.pdparams');
  execFileSync('mkfifo', [fifo]);
  const ckpt = await convert([fifo, '--out', join(dir, 'out1')]);
  assert.equal(ckpt.code, 2, ckpt.stderr);
  assert.match(
    ckpt.stderr,
    /^tsn: error E_CKPT_READ: checkpoint .*ckpt\.pdparams is not a regular file \(a FIFO\)/,
  );
  const reference = join(fixturesDir, 'reference', 'tsn_r18_c10_p4.pdparams');
  const labels = await convert([reference, '--labels', fifo, '--out', join(dir, 'out2')]);
  assert.equal(labels.code, 2, labels.stderr);
  assert.match(labels.stderr, /E_MODEL_LABELS: labels file .* is not a regular file \(a FIFO\)/);
});

test('a 1.5 GB checkpoint is refused by its size and a non-pickle by its first bytes, before reading', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tsn-big-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const huge = join(dir, 'huge.pdparams');
  sparse(huge, [0x80, 4], 1.5 * 2 ** 30);
  const zip = join(dir, 'model.pth');
  sparse(zip, [0x50, 0x4b, 3, 4], 64 << 20);
  for (const [file, code] of [
    [huge, 'E_CKPT_TOO_LARGE'],
    [zip, 'E_CKPT_NOT_PICKLE'],
  ] as const) {
    let readBytes = 0;
    await assert.rejects(
      readFileHashed(file, (read) => (readBytes = read)),
      (e: unknown) => isTsnError(e) && e.code === code,
    );
    assert.equal(readBytes, 0, `${file}: nothing is read before the check`);
  }
});
