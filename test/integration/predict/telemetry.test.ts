// onnxruntime's telemetry is off: a predict with HOME in a temp dir leaves no ~/.cache/Microsoft usage
// records and no /tmp/mat-debug-<pid>.log; the images set the same variable.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { convertCheckpoint } from '../../../src/model/convert.js';
import { fixturesDir, repoRoot, tsnBin } from '../../helpers/paths.js';

test('tsn predict leaves no onnxruntime telemetry in HOME or /tmp', async (t) => {
  const work = mkdtempSync(join(tmpdir(), 'tsn-telemetry-'));
  t.after(() => rmSync(work, { recursive: true, force: true }));
  const model = join(work, 'model');
  await convertCheckpoint({
    checkpointPath: join(fixturesDir, 'reference', 'tsn_r18_c10_p4.pdparams'),
    outDir: model,
  });
  const home = join(work, 'home');
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => k !== 'ORT_DISABLE_TELEMETRY' && !k.startsWith('TSN_')),
  );
  const clip = join(fixturesDir, 'reference', 'clip_340x256.mp4');
  const child = spawn(
    process.execPath,
    [tsnBin, 'predict', '-m', model, '--crop', 'center', '--num-seg', '3', '--json', clip],
    { cwd: repoRoot, env: { ...env, HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout.resume();
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  assert.equal(code, 0, stderr);
  assert.equal(existsSync(join(home, '.cache', 'Microsoft')), false, 'no ~/.cache/Microsoft');
  assert.equal(existsSync(`/tmp/mat-debug-${child.pid}.log`), false, `no /tmp/mat-debug-${child.pid}.log`);
});

test('the images turn onnxruntime telemetry off', () => {
  for (const file of ['Dockerfile', 'Dockerfile.gpu']) {
    assert.match(
      readFileSync(join(repoRoot, 'deploy', file), 'utf8'),
      /^ENV ORT_DISABLE_TELEMETRY=1$/m,
      file,
    );
  }
});
