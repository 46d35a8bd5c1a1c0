import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isTsnError } from '../../../src/errors/index.js';
import { WhipHub, createWhipCameraSource } from '../../../src/sources/webrtc/index.js';
import { resolveSourceUrl } from '../../../src/sources/registry.js';

const deps = { ffmpegPath: 'ffmpeg' };

describe('WhipHub and WHIP sources (no network)', () => {
  test('whip:// URLs are WHIP cameras in the source registry', () => {
    assert.equal(resolveSourceUrl('whip://').driver, 'whip');
    assert.equal(resolveSourceUrl('WHIP://lobby').driver, 'whip');
    assert.equal(resolveSourceUrl('rtsp://cam/whip').driver, 'ffmpeg');
  });

  test('options are checked like every source: E_SOURCE_OPTIONS', () => {
    assert.throws(
      () => createWhipCameraSource({ id: 'c', sampleFps: 0 }, deps),
      (e: unknown) => isTsnError(e, 'E_SOURCE_OPTIONS'),
    );
    assert.throws(
      () => createWhipCameraSource({ id: 'c', sampleFps: 4, stallTimeoutMs: -1 }, deps),
      (e: unknown) => isTsnError(e, 'E_SOURCE_OPTIONS'),
    );
  });

  test('a camera is reachable from start to close; unknown ids and closed cameras are E_WHIP_NOT_FOUND', async () => {
    const hub = new WhipHub();
    await assert.rejects(
      async () => hub.publish('nocam', 'v=0\r\n', { replace: false }),
      (e: unknown) => isTsnError(e, 'E_WHIP_NOT_FOUND'),
    );
    const source = hub.createSource({ id: 'cam1', sampleFps: 4 }, deps);
    const states: string[] = [];
    source.status$.subscribe((s) => states.push(s.state));
    source.start();
    assert.equal(hub.has('cam1'), true);
    await assert.rejects(
      () => hub.publish('cam1', 'hello', { replace: false }),
      (e: unknown) => isTsnError(e, 'E_WHIP_SDP'),
      'the offer is checked before any peer connection exists',
    );
    assert.equal(await hub.end('cam1', 'no-such-session'), false);
    await source.close();
    assert.deepEqual(states, ['stopped', 'connecting', 'stopped']);
    assert.equal(hub.has('cam1'), false, 'a closed camera leaves the hub');
    await assert.rejects(
      () => source.publish('v=0\r\n', { replace: false }),
      (e: unknown) => isTsnError(e, 'E_WHIP_NOT_FOUND'),
    );
  });

  test('a newer source for the same id keeps the hub entry when the older one closes', async () => {
    const hub = new WhipHub();
    const older = hub.createSource({ id: 'cam1', sampleFps: 4 }, deps);
    const newer = hub.createSource({ id: 'cam1', sampleFps: 4 }, deps);
    await older.close();
    assert.equal(hub.has('cam1'), true);
    await newer.close();
    assert.equal(hub.has('cam1'), false);
  });
});
