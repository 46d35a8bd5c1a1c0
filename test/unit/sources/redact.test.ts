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

  test('masks query values, keeps the stream selectors', () => {
    assert.equal(
      redactUrl('rtsp://cam/cam/realmonitor?channel=1&subtype=0&user=admin&password=pw;token=abc'),
      'rtsp://cam/cam/realmonitor?channel=1&subtype=0&user=***&password=***;token=***',
    );
    assert.equal(
      redactUrl('https://cdn/live.m3u8?api_key=k1&q=2'),
      'https://cdn/live.m3u8?api_key=***&q=***',
    );
  });

  test('leaves URLs without secrets and plain paths alone', () => {
    assert.equal(redactUrl('rtsp://10.0.0.5/stream1'), 'rtsp://10.0.0.5/stream1');
    assert.equal(redactUrl('/clips/me@home.mp4'), '/clips/me@home.mp4');
  });

  test('user-info runs to the last @: a password with an unencoded #, ? or / is masked whole', () => {
    assert.equal(redactUrl('rtsp://admin:Pa#Hash9xx@10.0.0.5/live'), 'rtsp://***@10.0.0.5/live');
    assert.equal(redactUrl('rtsp://admin:a?b=c@cam/live'), 'rtsp://***@cam/live');
    assert.equal(redactUrl('rtsp://admin:a/b@c@cam/live?channel=1'), 'rtsp://***@cam/live?channel=1');
    // An @ in a path masks what precedes it: a display may lose a little, never a secret.
    assert.equal(redactUrl('rtsp://cam/path@x'), 'rtsp://***@x');
  });

  test('query values are masked unless their key is a harmless stream selector; the fragment never shows', () => {
    assert.equal(
      redactUrl(
        'https://b.s3.amazonaws.com/v.m3u8?X-Amz-Signature=abc&X-Amz-Credential=AK%2F1&session=s1&Channel=2',
      ),
      'https://b.s3.amazonaws.com/v.m3u8?X-Amz-Signature=***&X-Amz-Credential=***&session=***&Channel=2',
    );
    assert.equal(
      redactUrl('rtsp://cam/live?access_key=k&client_secret=c&subtype=1'),
      'rtsp://cam/live?access_key=***&client_secret=***&subtype=1',
    );
    assert.equal(redactUrl('https://cam/live#token=zzz'), 'https://cam/live#***');
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

  test('a password with # is masked in text, whether ffmpeg prints the URL or only the password', () => {
    const url = 'rtsp://admin:Pa#Hash9xx@127.0.0.1:1/x?session=Sess10n';
    const out = redactText(`[tcp] ${url}: Connection refused; user admin pass Pa#Hash9xx; Sess10n`, [url]);
    assert.equal(out.includes('Hash9xx'), false, out);
    assert.equal(out.includes('Sess10n'), false, out);
    assert.equal(redactText(`opening ${url} failed`), 'opening rtsp://***@127.0.0.1:1/x?session=*** failed');
  });
});
