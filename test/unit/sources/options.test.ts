import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { inferSourceKind, resolveSourceOptions } from '../../../src/sources/options.js';
import { isTsnError } from '../../../src/errors/index.js';

describe('source options', () => {
  test('kind is inferred from the URL', () => {
    assert.equal(inferSourceKind('rtsp://cam/live'), 'rtsp');
    assert.equal(inferSourceKind('RTSPS://cam/live'), 'rtsp');
    assert.equal(inferSourceKind('/clips/a.mp4'), 'file');
    assert.equal(inferSourceKind('file:///clips/a.mp4'), 'file');
    assert.equal(inferSourceKind('https://cdn/live.m3u8'), 'url');
    assert.equal(inferSourceKind('srt://host:9000'), 'url');
  });

  test('defaults: tcp, no hwaccel, 224 center crop, go2rtc backoff', () => {
    const o = resolveSourceOptions({ id: 'c', url: 'rtsp://cam/live', sampleFps: 2 });
    assert.equal(o.kind, 'rtsp');
    assert.equal(o.rtspTransport, 'tcp');
    assert.equal(o.hwaccel, 'none');
    assert.deepEqual(o.output, { width: 224, height: 224, mode: 'center-crop', shortSide: 256 });
    assert.equal(o.backoff[3]?.times, Infinity);
  });

  test('bad values fail with E_SOURCE_OPTIONS / E_SOURCE_URL', () => {
    const bad = (over: object, code: 'E_SOURCE_OPTIONS' | 'E_SOURCE_URL'): void => {
      assert.throws(
        () => resolveSourceOptions({ id: 'c', url: 'rtsp://cam/live', sampleFps: 2, ...over }),
        (e) => isTsnError(e, code),
      );
    };
    bad({ sampleFps: 0 }, 'E_SOURCE_OPTIONS');
    bad({ output: { width: 0, height: 224, mode: 'scale' } }, 'E_SOURCE_OPTIONS');
    bad({ backoff: [] }, 'E_SOURCE_OPTIONS');
    bad({ backoff: [{ delayMs: 5, times: 0 }] }, 'E_SOURCE_OPTIONS');
    bad({ stallTimeoutMs: -1 }, 'E_SOURCE_OPTIONS');
    bad({ url: ' ' }, 'E_SOURCE_URL');
    bad({ kind: 'file' }, 'E_SOURCE_URL');
  });

  test('errors never carry the credentials', () => {
    try {
      resolveSourceOptions({ id: 'c', url: 'rtsp://admin:hunter22@cam/live', sampleFps: -1 });
      assert.fail('should throw');
    } catch (error) {
      assert.equal(JSON.stringify(error).includes('hunter22'), false);
      assert.equal(String(error).includes('hunter22'), false);
    }
  });
});
