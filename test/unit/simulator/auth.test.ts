import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  challengeHeader,
  digestResponse,
  isAuthorized,
  parseAuthParams,
} from '../../../simulators/rtsp-camera/rtsp/auth.js';

test('digest response matches the RFC 2617 section 3.5 example (qop=auth)', () => {
  assert.equal(
    digestResponse({
      username: 'Mufasa',
      password: 'Circle Of Life',
      realm: 'testrealm@host.com',
      nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093',
      method: 'GET',
      uri: '/dir/index.html',
      qop: 'auth',
      nc: '00000001',
      cnonce: '0a4f113b',
    }),
    '6629fae49393a05397450978507c4ef1',
  );
});

test('digest without qop is MD5(HA1:nonce:HA2) (RFC 2069, what most RTSP clients send)', () => {
  // HA1 = MD5("Mufasa:testrealm@host.com:Circle Of Life"), HA2 = MD5("GET:/dir/index.html")
  assert.equal(
    digestResponse({
      username: 'Mufasa',
      password: 'Circle Of Life',
      realm: 'testrealm@host.com',
      nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093',
      method: 'GET',
      uri: '/dir/index.html',
    }),
    '670fd8c2df070c60b045671b8b24ff02',
  );
});

test('digest Authorization headers are checked against method, nonce, realm and password', () => {
  const auth = { username: 'admin', password: 'pw', scheme: 'digest' as const };
  const request = { method: 'DESCRIBE', realm: 'r', nonce: 'n0' };
  const header = (password: string, nonce = 'n0'): string =>
    `Digest username="admin", realm="r", nonce="${nonce}", uri="rtsp://h/cam", response="${digestResponse({
      username: 'admin',
      password,
      realm: 'r',
      nonce,
      method: 'DESCRIBE',
      uri: 'rtsp://h/cam',
    })}"`;
  assert.equal(isAuthorized(auth, header('pw'), request), true);
  assert.equal(isAuthorized(auth, header('bad'), request), false);
  assert.equal(isAuthorized(auth, header('pw', 'other'), request), false);
  assert.equal(isAuthorized(auth, header('pw'), { ...request, method: 'PLAY' }), false);
  assert.equal(isAuthorized(auth, undefined, request), false);
  assert.equal(isAuthorized(auth, 'Basic YWRtaW46cHc=', request), false);
});

test('basic auth compares base64(user:password)', () => {
  const auth = { username: 'admin', password: 'pw', scheme: 'basic' as const };
  const request = { method: 'DESCRIBE', realm: 'r', nonce: 'n' };
  assert.equal(isAuthorized(auth, 'Basic YWRtaW46cHc=', request), true);
  assert.equal(isAuthorized(auth, 'Basic YWRtaW46cHg=', request), false);
  assert.equal(challengeHeader(auth, 'r', 'n'), 'Basic realm="r"');
  assert.equal(challengeHeader({ ...auth, scheme: 'digest' }, 'r', 'n'), 'Digest realm="r", nonce="n"');
});

test('auth params: quoted values may hold commas and escaped quotes', () => {
  const params = parseAuthParams('username="a,b", realm="x\\"y", nc=00000001, qop=auth');
  assert.equal(params.get('username'), 'a,b');
  assert.equal(params.get('realm'), 'x"y');
  assert.equal(params.get('nc'), '00000001');
  assert.equal(params.get('qop'), 'auth');
});
