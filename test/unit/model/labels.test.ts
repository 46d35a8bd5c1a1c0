import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { defaultLabels, parseLabels } from '../../../src/model/labels.js';
import type * as LabelsModule from '../../../src/model/labels.js';
import { repoRoot } from '../../helpers/paths.js';
import { assertCode } from './support/assert-code.js';

describe('label files', () => {
  test('"index name" lines, in any order, with spaces in names', () => {
    assert.deepEqual(parseLabels('1 b c\n0 a\n2  d\n', 'x'), ['a', 'b c', 'd']);
  });

  test('plain names, CRLF, trailing blank lines', () => {
    assert.deepEqual(parseLabels('run\r\njump fast\r\n\r\n', 'x'), ['run', 'jump fast']);
  });

  test('a mix of indexed and plain lines is read as plain names', () => {
    assert.deepEqual(parseLabels('0 a\nb\n', 'x'), ['0 a', 'b']);
  });

  test('bad files are E_MODEL_LABELS', () => {
    assertCode(() => parseLabels('', 'x'), 'E_MODEL_LABELS');
    assertCode(() => parseLabels('a\n\nb\n', 'x'), 'E_MODEL_LABELS');
    assertCode(() => parseLabels('0 a\n0 b\n', 'x'), 'E_MODEL_LABELS');
    assertCode(() => parseLabels('0 a\n5 b\n', 'x'), 'E_MODEL_LABELS');
  });

  test('defaults: Kinetics-400 for 400 classes, class_<i> otherwise', async () => {
    const k400 = await defaultLabels(400);
    assert.equal(k400.source, 'kinetics-400');
    assert.equal(k400.labels[5], 'archery');
    assert.deepEqual((await defaultLabels(3)).labels, ['class_0', 'class_1', 'class_2']);
  });

  test('the Kinetics-400 asset is found from an installed package layout', async () => {
    const tmp = await mkdtemp(join(tmpdir(), 'tsn-pkg-'));
    try {
      // node_modules/tsn-stream with dist/ and assets/, as npm would lay it out, next to an app.
      const pkg = join(tmp, 'app', 'node_modules', 'tsn-stream');
      await mkdir(join(pkg, 'dist', 'src'), { recursive: true });
      await writeFile(join(pkg, 'package.json'), JSON.stringify({ name: 'tsn-stream', type: 'module' }));
      await writeFile(join(tmp, 'app', 'package.json'), JSON.stringify({ name: 'app', type: 'module' }));
      for (const dir of ['model', 'errors']) {
        await cp(join(repoRoot, 'dist', 'src', dir), join(pkg, 'dist', 'src', dir), { recursive: true });
      }
      await cp(join(repoRoot, 'assets'), join(pkg, 'assets'), { recursive: true });
      const url = pathToFileURL(join(pkg, 'dist', 'src', 'model', 'labels.js')).href;
      const installed = (await import(url)) as typeof LabelsModule;
      assert.equal((await installed.defaultLabels(400)).labels[399], 'zumba');
      // Without the asset the package root is not left: no other k400.txt further up is picked.
      await rm(join(pkg, 'assets'), { recursive: true });
      await cp(join(repoRoot, 'assets'), join(tmp, 'app', 'assets'), { recursive: true });
      assert.equal((await installed.defaultLabels(400)).source, 'placeholder');
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  });
});
