// The sources' config keys: file roots, camera limit and the backoff floor, through the real loader.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cameraPatchSchema, loadConfig } from '../../../src/config/index.js';
import { isTsnError } from '../../../src/errors/index.js';

function configFile(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'tsn-source-config-')), 'c.yaml');
  writeFileSync(file, text);
  return file;
}

describe('sources config', () => {
  test('defaults: file cameras under the working directory, at most 64 cameras', () => {
    const config = loadConfig({ env: {} });
    assert.deepEqual(config.sources, { fileRoots: ['.'], maxCameras: 64 });
  });

  test('backoff delays below 250 ms are a config error naming the floor (camera and defaults)', () => {
    for (const text of [
      'defaults:\n  backoff: [{ delayMs: 0 }]\n',
      'cameras:\n  - { id: a, url: rtsp://cam/x, backoff: [{ delayMs: 249, times: 3 }, { delayMs: 1000 }] }\n',
    ]) {
      assert.throws(
        () => loadConfig({ file: configFile(text), env: {} }),
        (e: unknown) => isTsnError(e, 'E_CONFIG') && /at least 250/.test(e.message),
        text,
      );
    }
    assert.equal(cameraPatchSchema.safeParse({ backoff: [{ delayMs: 10 }] }).success, false);
    const ok = loadConfig({ file: configFile('defaults:\n  backoff: [{ delayMs: 250 }]\n'), env: {} });
    assert.deepEqual(ok.defaults.backoff, [{ delayMs: 250 }]);
  });

  test('source timers over a day are refused (over 2^31-1 ms Node would fire them at once)', () => {
    for (const text of [
      'defaults:\n  stallTimeoutMs: 2147483648\n',
      'defaults:\n  connectTimeoutMs: 86400001\n',
      'defaults:\n  backoff: [{ delayMs: 99999999999 }]\n',
    ]) {
      assert.throws(
        () => loadConfig({ file: configFile(text), env: {} }),
        (e: unknown) => isTsnError(e, 'E_CONFIG'),
        text,
      );
    }
  });

  test('fileRoots needs at least one directory; maxCameras a positive integer', () => {
    for (const text of ['sources: { fileRoots: [] }\n', 'sources: { maxCameras: 0 }\n']) {
      assert.throws(
        () => loadConfig({ file: configFile(text), env: {} }),
        (e: unknown) => isTsnError(e),
        text,
      );
    }
  });
});
