import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { convertCheckpoint } from '../../../src/model/convert.js';
import { loadModel } from '../../../src/model/model-dir.js';
import { NdArray, PyDict, readPickle } from '../../../src/model/pickle/index.js';
import { paddleNameMappings } from '../../../src/model/paddle-names.js';
import type { ErrorCode } from '../../../src/errors/index.js';
import { fixturesDir } from '../../helpers/paths.js';
import { assertRejectsCode } from './support/assert-code.js';
import { pickleStateDict } from './support/pickle-writer.js';
import { syntheticPaddleState } from './support/synthetic.js';

const reference = join(fixturesDir, 'reference', 'tsn_r18_c10_p4.pdparams');
type Spot = Record<string, { paddle: string; shape: number[]; at: Record<string, number>; sum: number }>;

let tmp = '';
before(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'tsn-convert-'));
});
after(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('converting the reference checkpoint', () => {
  test('depth 18, 10 classes, tensors equal to what Python reads', async () => {
    const out = join(tmp, 'r18');
    const model = await convertCheckpoint({ checkpointPath: reference, outDir: out });
    assert.equal(model.manifest.depth, 18);
    assert.equal(model.manifest.numClasses, 10);
    assert.equal(model.manifest.featureDim, 512);
    assert.equal(model.manifest.defaultNumSeg, 8);
    assert.equal(model.tensorCount, 102);
    assert.deepEqual(model.labels.slice(0, 2), ['class_0', 'class_1']);
    const sha = createHash('sha256')
      .update(await readFile(reference))
      .digest('hex');
    assert.equal(model.manifest.source.sha256, sha);
    assert.equal(model.id, `r18@${sha.slice(0, 12)}`);

    // Independent oracle: values Python's pickle + numpy read (scripts/fixtures/make_reference_spot.py).
    const spot = JSON.parse(
      await readFile(join(fixturesDir, 'model', 'ref_r18_c10_spot.json'), 'utf8'),
    ) as Spot;
    for (const [name, want] of Object.entries(spot)) {
      const t = model.weights.get(name);
      assert.ok(t, name);
      assert.deepEqual(t.shape, want.shape, name);
      for (const [i, v] of Object.entries(want.at))
        assert.equal(t.data[Number(i)], Math.fround(v), `${name}[${i}]`);
      const sum = t.data.reduce((a, x) => a + x, 0);
      assert.ok(Math.abs(sum - want.sum) < 1e-6 * Math.max(1, Math.abs(want.sum)) + 1e-4, `${name} sum`);
    }
  });

  test('every canonical tensor equals its pickled array, and loadModel returns the same', async () => {
    const out = join(tmp, 'r18-all');
    const converted = await convertCheckpoint({ checkpointPath: reference, outDir: out, defaultNumSeg: 3 });
    const loaded = await loadModel(out);
    assert.equal(loaded.manifest.defaultNumSeg, 3);
    assert.equal(loaded.id, converted.id);
    const pickled = readPickle(await readFile(reference));
    assert.ok(pickled instanceof PyDict);
    const entries: PyDict['entries'] = pickled.entries;
    for (const m of paddleNameMappings(18, 10)) {
      const array: unknown = entries.get(m.paddle);
      assert.ok(array instanceof NdArray && array.data !== null);
      const src: Float32Array = new Float32Array(new Uint8Array(array.data).buffer);
      const got = loaded.weights.get(m.canonical);
      assert.ok(got);
      assert.deepEqual(got.shape, m.canonicalShape);
      if (m.transpose) {
        const [rows = 0, cols = 0] = m.paddleShape;
        for (let i = 0; i < rows; i += 37)
          for (let j = 0; j < cols; j++) assert.equal(got.data[j * rows + i], src[i * cols + j]);
      } else {
        assert.ok(Buffer.from(got.data.buffer).equals(Buffer.from(src.buffer)), m.canonical);
      }
      const again = converted.weights.get(m.canonical);
      assert.ok(again && Buffer.from(got.data.buffer).equals(Buffer.from(again.data.buffer)));
    }
  });
});

describe('labels', () => {
  test('--labels accepts "index name" lines in any order, and plain names', async () => {
    const indexed = join(tmp, 'indexed.txt');
    await writeFile(
      indexed,
      Array.from({ length: 10 }, (_, i) => `${9 - i} action ${9 - i}`).join('\n') + '\n',
    );
    const a = await convertCheckpoint({
      checkpointPath: reference,
      outDir: join(tmp, 'lab1'),
      labelsPath: indexed,
    });
    assert.equal(a.labels[0], 'action 0');
    assert.equal(a.labels[9], 'action 9');
    const plain = join(tmp, 'plain.txt');
    await writeFile(plain, Array.from({ length: 10 }, (_, i) => `verb_${i}`).join('\r\n'));
    const b = await convertCheckpoint({
      checkpointPath: reference,
      outDir: join(tmp, 'lab2'),
      labelsPath: plain,
    });
    assert.deepEqual((await loadModel(b.dir)).labels, b.labels);
    assert.equal(b.labels[3], 'verb_3');
  });

  test('a label count that does not match the classes fails and writes nothing', async () => {
    const few = join(tmp, 'few.txt');
    await writeFile(few, 'a\nb\nc\n');
    const out = join(tmp, 'lab3');
    await assertRejectsCode(
      convertCheckpoint({ checkpointPath: reference, outDir: out, labelsPath: few }),
      'E_MODEL_LABELS',
    );
    await assertNothingWritten(out);
  });

  test('a 400-class checkpoint gets the Kinetics-400 names shipped with the package', async () => {
    const path = join(tmp, 'k400.pdparams');
    await writeFile(path, pickleStateDict(syntheticPaddleState(18, 400)));
    const model = await convertCheckpoint({ checkpointPath: path, outDir: join(tmp, 'k400') });
    assert.equal(model.labels.length, 400);
    assert.equal(model.labels[0], 'abseiling');
    assert.equal(model.labels[5], 'archery');
    assert.equal(model.labels[399], 'zumba');
    await rm(path);
  });
});

describe('output directory', () => {
  test('a directory that is not a model is never replaced, even with force', async () => {
    const out = join(tmp, 'exists');
    await mkdir(out);
    await writeFile(join(out, 'keep.txt'), 'mine');
    await assertRejectsCode(
      convertCheckpoint({ checkpointPath: reference, outDir: out }),
      'E_MODEL_OUT_EXISTS',
    );
    await assertRejectsCode(
      convertCheckpoint({ checkpointPath: reference, outDir: out, force: true }),
      'E_MODEL_OUT_EXISTS',
    );
    assert.equal(await readFile(join(out, 'keep.txt'), 'utf8'), 'mine');
    const file = join(tmp, 'a-file');
    await writeFile(file, 'x');
    await assertRejectsCode(
      convertCheckpoint({ checkpointPath: reference, outDir: file, force: true }),
      'E_MODEL_OUT_EXISTS',
    );
  });

  test('an existing model directory is replaced only with force', async () => {
    const out = join(tmp, 'model-again');
    const first = await convertCheckpoint({ checkpointPath: reference, outDir: out, defaultNumSeg: 3 });
    await assertRejectsCode(
      convertCheckpoint({ checkpointPath: reference, outDir: out }),
      'E_MODEL_OUT_EXISTS',
    );
    await convertCheckpoint({ checkpointPath: reference, outDir: out, force: true, defaultNumSeg: 5 });
    assert.equal((await loadModel(out)).manifest.defaultNumSeg, 5);
    assert.equal(first.manifest.defaultNumSeg, 3);
    assert.deepEqual((await readdir(out)).sort(), ['labels.txt', 'manifest.json', 'weights.safetensors']);
    await assertNoStaging(tmp);
  });

  test('force refuses to delete the checkpoint it is converting', async () => {
    const out = join(tmp, 'self');
    await convertCheckpoint({ checkpointPath: reference, outDir: out });
    const inside = join(out, 'ckpt.pdparams');
    await writeFile(inside, await readFile(reference));
    await assertRejectsCode(
      convertCheckpoint({ checkpointPath: inside, outDir: out, force: true }),
      'E_MODEL_OUT_EXISTS',
    );
    assert.ok((await readdir(out)).includes('ckpt.pdparams'));
    await rm(inside);
  });

  test('an existing empty directory is used', async () => {
    const out = join(tmp, 'empty');
    await mkdir(out);
    await convertCheckpoint({ checkpointPath: reference, outDir: out });
    assert.equal((await loadModel(out)).manifest.numClasses, 10);
  });
});

describe('bad checkpoints write nothing', () => {
  const cases: [string, () => Promise<Uint8Array>, ErrorCode][] = [
    ['not a pickle', async () => Buffer.from('this is a text file, not weights\n'), 'E_CKPT_NOT_PICKLE'],
    ['truncated', async () => (await readFile(reference)).subarray(0, 1_000_000), 'E_CKPT_TRUNCATED'],
    [
      'missing tensor',
      async () => {
        const s = syntheticPaddleState(18, 4);
        s.delete('backbone.res5b.conv1._conv.weight');
        return pickleStateDict(s);
      },
      'E_CKPT_MISSING_TENSOR',
    ],
    [
      'float64 tensor',
      async () => {
        const s = syntheticPaddleState(18, 4);
        s.set('head.fc.bias', { shape: [4], dtype: '<f8' });
        return pickleStateDict(s);
      },
      'E_CKPT_DTYPE',
    ],
  ];
  for (const [name, make, code] of cases) {
    test(`${name} -> ${code}`, async () => {
      const path = join(tmp, `bad-${code}.pdparams`);
      await writeFile(path, await make());
      const out = join(tmp, `out-${code}`);
      await assertRejectsCode(convertCheckpoint({ checkpointPath: path, outDir: out }), code);
      await assertNothingWritten(out);
      await rm(path);
    });
  }

  test('a missing checkpoint file', async () => {
    await assertRejectsCode(
      convertCheckpoint({ checkpointPath: join(tmp, 'nope.pdparams'), outDir: join(tmp, 'o') }),
      'E_CKPT_READ',
    );
    await assertRejectsCode(
      convertCheckpoint({ checkpointPath: tmp, outDir: join(tmp, 'o') }),
      'E_CKPT_READ',
    );
    await assertNothingWritten(join(tmp, 'o'));
  });
});

async function assertNothingWritten(out: string): Promise<void> {
  await assert.rejects(readdir(out), { code: 'ENOENT' });
  await assertNoStaging(tmp);
}

async function assertNoStaging(dir: string): Promise<void> {
  const leftovers = (await readdir(dir)).filter((n) => n.includes('.tmp-'));
  assert.deepEqual(leftovers, []);
}
