import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { convertCheckpoint } from '../../../src/model/convert.js';
import { fixturesDir } from '../../helpers/paths.js';
import { hasPythonModules, needs } from '../../helpers/tools.js';

const run = promisify(execFile);
const script = join(fixturesDir, 'reference', 'paddle_tsn_ref.py');

let tmp = '';
before(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'tsn-ref-p2-'));
});
after(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function writeReference(protocol: 2 | 4): Promise<string> {
  const path = join(tmp, `r18_c5_p${protocol}.pdparams`);
  const args = [
    script,
    'weights',
    path,
    '--depth',
    '18',
    '--classes',
    '5',
    '--protocol',
    String(protocol),
    '--seed',
    '3',
  ];
  await run('/usr/bin/python3', args, { timeout: 180_000 });
  return path;
}

test('a protocol-2 checkpoint from the reference converts to the same tensors as protocol 4', async (t) => {
  if (!needs(t, hasPythonModules(['torch', 'torchvision', 'numpy']), 'python3-torch')) return;
  const [path2, path4] = await Promise.all([writeReference(2), writeReference(4)]);
  const p2 = await convertCheckpoint({ checkpointPath: path2, outDir: join(tmp, 'm2') });
  const p4 = await convertCheckpoint({ checkpointPath: path4, outDir: join(tmp, 'm4') });
  assert.equal(p2.manifest.depth, 18);
  assert.equal(p2.manifest.numClasses, 5);
  assert.notEqual(p2.manifest.source.sha256, p4.manifest.source.sha256, 'the two files differ on disk');
  assert.deepEqual([...p2.weights.keys()], [...p4.weights.keys()]);
  for (const [name, t2] of p2.weights) {
    const t4 = p4.weights.get(name);
    assert.ok(t4, name);
    assert.deepEqual(t2.shape, t4.shape, name);
    assert.ok(Buffer.from(t2.data.buffer).equals(Buffer.from(t4.data.buffer)), name);
  }
});
