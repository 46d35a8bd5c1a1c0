import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { redactText, redactUrl } from '../../../src/sources/redact.js';

describe('redactUrl', () => {
  test('masks user and password', () => {
    assert.equal(
      redactUrl('rtsp://admin:s3cret@10.0.0.5:554/Streaming/101'),
      'rtsp://***@10.0.0.5:554/Streaming/101',
    );
  });

  test('masks a user without password and percent-encoded userinfo', () => {
    assert.equal(redactUrl('rtsp://viewer@cam/live'), 'rtsp://***@cam/live');
    assert.equal(redactUrl('rtsp://ad%40min:p%3Aw@cam/live'), 'rtsp://***@cam/live');
  });

  test('masks secret query parameters, keeps the others', () => {
    assert.equal(
      redactUrl('rtsp://cam/cam/realmonitor?channel=1&subtype=0&user=admin&password=pw;token=abc'),
      'rtsp://cam/cam/realmonitor?channel=1&subtype=0&user=***&password=***;token=***',
    );
    assert.equal(redactUrl('https://cdn/live.m3u8?api_key=k1&q=2'), 'https://cdn/live.m3u8?api_key=***&q=2');
  });

  test('leaves URLs without secrets and plain paths alone', () => {
    assert.equal(redactUrl('rtsp://10.0.0.5/stream1'), 'rtsp://10.0.0.5/stream1');
    assert.equal(redactUrl('/clips/me@home.mp4'), '/clips/me@home.mp4');
  });

  test('an @ in the path is not taken for userinfo', () => {
    assert.equal(redactUrl('rtsp://cam/path@x'), 'rtsp://cam/path@x');
  });
});

describe('redactText', () => {
  test("masks URLs inside ffmpeg's stderr", () => {
    const line =
      '[error] rtsp://admin:s3cret@127.0.0.1:8554/cam1: Server returned 401 Unauthorized (authorization failed)';
    const out = redactText(line);
    assert.equal(
      out,
      '[error] rtsp://***@127.0.0.1:8554/cam1: Server returned 401 Unauthorized (authorization failed)',
    );
  });

  test('masks the literal credentials of known URLs, decoded too', () => {
    const out = redactText('login as adm1n with p@ss:w0rd failed; token=abc123', [
      'rtsp://adm1n:p%40ss%3Aw0rd@cam/live',
      'https://cdn/x?token=abc123',
    ]);
    assert.equal(out.includes('adm1n'), false);
    assert.equal(out.includes('p@ss:w0rd'), false);
    assert.equal(out.includes('abc123'), false);
  });
});
