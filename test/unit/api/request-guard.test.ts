import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { hostAllowed, originAllowed } from '../../../src/api/request-guard.js';
import { assertSafeExposure, isLoopbackHost, loadConfig } from '../../../src/config/index.js';
import { isTsnError } from '../../../src/errors/index.js';

describe('request guard', () => {
  it('knows loopback hosts', () => {
    for (const h of ['localhost', 'LOCALHOST', 'a.localhost', '127.0.0.1', '127.9.9.9', '::1', '[::1]']) {
      assert.ok(isLoopbackHost(h), h);
    }
    for (const h of ['0.0.0.0', '::', '10.0.0.1', 'localhost.evil.example', '128.0.0.1', '']) {
      assert.ok(!isLoopbackHost(h), h);
    }
  });

  it('allows loopback names, the bound address and allowedHosts; "*" turns the check off', () => {
    const policy = { boundHost: '192.0.2.7', allowedHosts: ['tsn.example'] };
    for (const h of ['localhost:8080', '[::1]:80', '127.0.0.1', '192.0.2.7:8080', 'TSN.example']) {
      assert.ok(hostAllowed(h, policy), h);
    }
    for (const h of ['evil.example', undefined, '', 'tsn.example.evil', 'a b'])
      assert.ok(!hostAllowed(h, policy), String(h));
    assert.ok(
      !hostAllowed('0.0.0.0', { boundHost: '0.0.0.0', allowedHosts: [] }),
      'a wildcard bind is no host name',
    );
    assert.ok(hostAllowed('anything', { boundHost: '0.0.0.0', allowedHosts: ['*'] }));
  });

  it('allows same-origin, absent Origin and listed origins only', () => {
    const policy = { allowedOrigins: ['https://ops.example/'] };
    assert.ok(originAllowed(undefined, 'h:1', policy));
    assert.ok(originAllowed('http://h:1', 'h:1', policy));
    assert.ok(originAllowed('https://ops.example', 'h:1', policy));
    assert.ok(!originAllowed('http://h:2', 'h:1', policy));
    assert.ok(!originAllowed('null', 'h:1', policy));
    assert.ok(!originAllowed('https://evil.example', 'h:1', policy));
    assert.ok(originAllowed('https://evil.example', 'h:1', { allowedOrigins: ['*'] }));
  });

  it('refuses a non-loopback bind without a token unless anonymous access is configured', () => {
    const server = (text: string) => loadConfig({ text, env: {} }).server;
    assert.throws(
      () => assertSafeExposure(server('server: { host: 0.0.0.0 }')),
      (e) => isTsnError(e, 'E_CONFIG_UNSAFE_BIND'),
    );
    assertSafeExposure(server('server: { host: 127.0.0.1 }'));
    assertSafeExposure(server("server: { host: 0.0.0.0, auth: { token: '0123456789abcdef' } }"));
    assertSafeExposure(server('server: { host: 0.0.0.0, auth: { allowAnonymous: true } }'));
  });
});
