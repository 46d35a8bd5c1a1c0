import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveSourceOptions } from '../../../src/sources/options.js';
import { isTsnError } from '../../../src/errors/index.js';

describe('source options', () => {
  test('the ingest target comes from the source registry: the substream when there is one', () => {
    const kindOf = (url: string) => resolveSourceOptions({ id: 'c', url, sampleFps: 2 }).target.kind;
    assert.equal(kindOf('rtsp://cam/live'), 'rtsp');
    assert.equal(kindOf('RTSPS://cam/live'), 'rtsp');
    assert.equal(kindOf('package.json'), 'file');
    assert.equal(kindOf('https://cdn/live.m3u8'), 'url');
    const sub = resolveSourceOptions({
      id: 'c',
      url: 'rtsp://cam/main',
      substreamUrl: 'https://cam/sub.m3u8',
      sampleFps: 2,
    });
    assert.deepEqual([sub.target.kind, sub.target.input], ['url', 'https://cam/sub.m3u8']);
  });

  test('defaults: tcp, no hwaccel, every frame decoded, 224 center crop, go2rtc backoff', () => {
    const o = resolveSourceOptions({ id: 'c', url: 'rtsp://cam/live', sampleFps: 2 });
    assert.equal(o.target.kind, 'rtsp');
    assert.equal(o.maxLeadMs, 10_000);
    assert.equal(o.rtspTransport, 'tcp');
    assert.equal(o.hwaccel, 'none');
    assert.equal(o.decode, 'all');
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
    // decode 'picked' needs the segment length and a whole number of sampled frames per segment.
    bad({ decode: 'picked' }, 'E_SOURCE_OPTIONS');
    bad({ decode: 'picked', segmentMs: 1250 }, 'E_SOURCE_OPTIONS');
    assert.equal(
      resolveSourceOptions({
        id: 'c',
        url: 'rtsp://cam/live',
        sampleFps: 2,
        decode: 'picked',
        segmentMs: 1500,
      }).segmentMs,
      1500,
    );
    bad({ output: { width: 0, height: 224, mode: 'scale' } }, 'E_SOURCE_OPTIONS');
    bad({ backoff: [] }, 'E_SOURCE_OPTIONS');
    bad({ backoff: [{ delayMs: 5, times: 0 }] }, 'E_SOURCE_OPTIONS');
    bad({ stallTimeoutMs: -1 }, 'E_SOURCE_OPTIONS');
    bad({ connectTimeoutMs: 2 ** 31 }, 'E_SOURCE_OPTIONS');
    bad({ backoff: [{ delayMs: 2 ** 31 }] }, 'E_SOURCE_OPTIONS');
    bad({ url: ' ' }, 'E_SOURCE_URL');
    bad({ url: 'srt://host:9000' }, 'E_SOURCE_URL');
    bad({ substreamUrl: 'udp://0.0.0.0:9000' }, 'E_SOURCE_URL');
    bad({ substreamUrl: 'whip://' }, 'E_SOURCE_URL');
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
