import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm, stat, writeFile, cp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { convertCheckpoint } from '../../../src/model/convert.js';
import { loadModel, writeModelDir } from '../../../src/model/model-dir.js';
import type { Model, Tensor } from '../../../src/model/types.js';
import { fixturesDir } from '../../helpers/paths.js';
import { assertRejectsCode } from './support/assert-code.js';

let tmp = '';
let model: Model;
before(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'tsn-modeldir-'));
  model = await convertCheckpoint({
    checkpointPath: join(fixturesDir, 'reference', 'tsn_r18_c10_p4.pdparams'),
    outDir: join(tmp, 'base'),
  });
});
after(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** A copy of the converted directory with one file edited. */
async function variant(name: string, edit: (dir: string) => Promise<void>): Promise<string> {
  const dir = join(tmp, name);
  await cp(join(tmp, 'base'), dir, { recursive: true });
  await edit(dir);
  return dir;
}

async function editManifest(dir: string, change: (m: Record<string, unknown>) => void): Promise<void> {
  const path = join(dir, 'manifest.json');
  const m = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  change(m);
  await writeFile(path, JSON.stringify(m));
}

describe('writeModelDir', () => {
  test('writes the three files, readable by loadModel, with ordinary permissions', async () => {
    const dir = join(tmp, 'written');
    await writeModelDir(dir, model);
    assert.deepEqual((await readdir(dir)).sort(), ['labels.txt', 'manifest.json', 'weights.safetensors']);
    assert.equal((await stat(dir)).mode & 0o777, 0o755);
    const loaded = await loadModel(dir);
    assert.deepEqual(loaded.manifest, model.manifest);
    assert.deepEqual(loaded.labels, model.labels);
    assert.equal(loaded.id, `written@${model.manifest.source.sha256.slice(0, 12)}`);
    assert.equal(loaded.weights.size, 102);
  });

  test('refuses inconsistent contents and leaves nothing behind', async () => {
    const dir = join(tmp, 'refused');
    const weights = new Map<string, Tensor>(model.weights);
    weights.delete('layer2.0.downsample.0.weight');
    await assertRejectsCode(writeModelDir(dir, { ...model, weights }), 'E_MODEL_WEIGHTS');
    await assertRejectsCode(writeModelDir(dir, { ...model, labels: ['x'] }), 'E_MODEL_LABELS');
    await assertRejectsCode(
      writeModelDir(dir, { ...model, manifest: { ...model.manifest, featureDim: 2048 } }),
      'E_MODEL_MANIFEST',
    );
    await assert.rejects(stat(dir), { code: 'ENOENT' });
    const foreign = join(tmp, 'foreign');
    await cp(join(tmp, 'base'), foreign, { recursive: true });
    await rm(join(foreign, 'manifest.json'));
    await assertRejectsCode(writeModelDir(foreign, model), 'E_MODEL_OUT_EXISTS');
    assert.ok((await readdir(foreign)).includes('weights.safetensors'));
    assert.deepEqual(
      (await readdir(tmp)).filter((n) => n.includes('.tmp-')),
      [],
    );
  });
});

describe('loadModel errors', () => {
  test('missing directory or manifest -> E_MODEL_DIR', async () => {
    await assertRejectsCode(loadModel(join(tmp, 'nope')), 'E_MODEL_DIR');
    await assertRejectsCode(loadModel(join(tmp, 'base', 'labels.txt')), 'E_MODEL_DIR');
    const dir = await variant('no-manifest', (d) => rm(join(d, 'manifest.json')));
    await assertRejectsCode(loadModel(dir), 'E_MODEL_DIR');
  });

  test('invalid manifests -> E_MODEL_MANIFEST', async () => {
    const edits: [string, (m: Record<string, unknown>) => void][] = [
      ['depth', (m) => (m.depth = 26)],
      ['format', (m) => (m.format = 'other')],
      ['featureDim', (m) => (m.featureDim = 2048)],
      ['sha', (m) => (m.source = { file: 'x', sha256: 'abc', format: 'paddle-pdparams' })],
      ['escape', (m) => (m.weightsFile = '../../etc/passwd')],
      ['numSeg', (m) => (m.defaultNumSeg = 0)],
      ['mean', (m) => (m.mean = [0.5, 0.5])],
    ];
    for (const [name, edit] of edits) {
      const dir = await variant(`manifest-${name}`, (d) => editManifest(d, edit));
      await assertRejectsCode(loadModel(dir), 'E_MODEL_MANIFEST');
    }
    const broken = await variant('manifest-json', (d) => writeFile(join(d, 'manifest.json'), '{"format":'));
    await assertRejectsCode(loadModel(broken), 'E_MODEL_MANIFEST');
  });

  test('weights that do not fit the manifest -> E_MODEL_WEIGHTS', async () => {
    const classes = await variant('w-classes', (d) =>
      editManifest(d, (m) => {
        m.numClasses = 11;
      }),
    );
    await assertRejectsCode(loadModel(classes), 'E_MODEL_WEIGHTS');
    const depth = await variant('w-depth', (d) =>
      editManifest(d, (m) => {
        m.depth = 34;
      }),
    );
    await assertRejectsCode(loadModel(depth), 'E_MODEL_WEIGHTS');
    const missing = await variant('w-missing', (d) => rm(join(d, 'weights.safetensors')));
    await assertRejectsCode(loadModel(missing), 'E_MODEL_WEIGHTS');
    const cut = await variant('w-cut', async (d) => {
      const p = join(d, 'weights.safetensors');
      await writeFile(p, (await readFile(p)).subarray(0, 1000));
    });
    await assertRejectsCode(loadModel(cut), 'E_MODEL_WEIGHTS');
  });

  test('labels that do not fit -> E_MODEL_LABELS', async () => {
    const short = await variant('l-short', (d) => writeFile(join(d, 'labels.txt'), 'a\nb\n'));
    await assertRejectsCode(loadModel(short), 'E_MODEL_LABELS');
    const gone = await variant('l-gone', (d) => rm(join(d, 'labels.txt')));
    await assertRejectsCode(loadModel(gone), 'E_MODEL_LABELS');
    const blank = await variant('l-blank', (d) =>
      writeFile(join(d, 'labels.txt'), ['a', '', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'].join('\n')),
    );
    await assertRejectsCode(loadModel(blank), 'E_MODEL_LABELS');
  });
});
