// CameraRegistry with the source rules: the camera limit, and start-up cameras whose URL is refused now.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig, type CameraSpec } from '../../../src/config/index.js';
import { isTsnError } from '../../../src/errors/index.js';
import { CameraRegistry, type CameraRuntime } from '../../../src/service/camera-manager.js';
import { resolveSourceUrl } from '../../../src/sources/registry.js';

function registry(maxCameras: number) {
  const started: string[] = [];
  const cameras = new CameraRegistry({
    defaults: loadConfig({ env: {} }).defaults,
    now: () => 1_000,
    maxCameras,
    // Like the real runtime: the URL goes through the source registry before anything starts.
    startCamera: (camera): CameraRuntime => {
      resolveSourceUrl(camera.url, { fileRoots: ['.'] });
      started.push(camera.id);
      return {
        status: () => ({ state: 'connecting', attempt: 1, sinceMs: 1_000 }),
        stats: () => ({ fps: 0, lastPrediction: null, counters: {} }),
        stopIntake: async () => undefined,
        close: async () => undefined,
      };
    },
  });
  return { cameras, started };
}

const spec = (id: string, url = `rtsp://cam/${id}`, enabled = true): CameraSpec => ({ id, url, enabled });

describe('camera limits', () => {
  test('maxCameras counts every camera, enabled or not; the next add is E_SOURCE_CAMERA_LIMIT', async () => {
    const { cameras, started } = registry(2);
    await cameras.add(spec('a'));
    await cameras.add(spec('b', 'rtsp://cam/b', false));
    await assert.rejects(
      () => cameras.add(spec('c')),
      (e: unknown) => isTsnError(e, 'E_SOURCE_CAMERA_LIMIT') && /sources\.maxCameras/.test(e.message),
    );
    assert.deepEqual(started, ['a']);
    await cameras.remove('b');
    await cameras.add(spec('c'));
    assert.deepEqual(started, ['a', 'c']);
  });

  test('more start-up cameras than the limit stop the start with the same code', () => {
    const { cameras } = registry(1);
    assert.throws(
      () => cameras.startAll([spec('a'), spec('b')]),
      (e: unknown) => isTsnError(e, 'E_SOURCE_CAMERA_LIMIT'),
    );
  });

  test('a start-up camera whose URL is refused now is kept as failed with the reason', () => {
    const { cameras, started } = registry(4);
    cameras.startAll([spec('ok'), spec('gone', './no-such-clip.mp4'), spec('ftp', 'ftp://x/a.mp4')]);
    assert.deepEqual(started, ['ok']);
    const gone = cameras.get('gone');
    assert.ok(gone?.status.state === 'failed');
    assert.match(gone.status.error.message, /names no file/);
    assert.equal(cameras.get('ftp')?.status.state, 'failed');
    assert.deepEqual(
      cameras.list().map((c) => c.spec.id),
      ['ok', 'gone', 'ftp'],
    );
  });
});
