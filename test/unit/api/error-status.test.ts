// Issue 11: each error code carries its HTTP status in the catalog; one fastify error handler turns any
// thrown TsnError into { error: { code, message, details } } with that status; one bearer check.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { Registry } from 'prom-client';
import { buildApi, type CameraManager } from '../../../src/api/index.js';
import type { WhipIngest } from '../../../src/api/routes-whip.js';
import { errorCodes, httpStatusOf, TsnError, type ErrorCode } from '../../../src/errors/index.js';
import { bearerTokenAuthorizer, createBearerCheck } from '../../../src/publish/websocket/auth.js';

const token = 'a-very-long-test-token-0123456789';
const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };

/** Cameras whose add() throws what the test hands it; whip.publish() likewise. */
function setup(thrown: { error?: unknown }) {
  const cameras: CameraManager = {
    list: () => [],
    get: () => undefined,
    add: () => Promise.reject(thrown.error),
    patch: () => Promise.reject(thrown.error),
    remove: () => Promise.reject(thrown.error),
  };
  const whip: WhipIngest = {
    publish: () => Promise.reject(thrown.error),
    end: async () => false,
  };
  return buildApi({
    cameras,
    events: { recent: () => [] },
    metrics: new Registry(),
    readiness: () => ({ ready: true, checks: {} }),
    auth: { token, protectMutations: true },
    hosts: { boundHost: '127.0.0.1', allowedHosts: [] },
    whip,
  });
}

const camera = { id: 'door', url: 'rtsp://127.0.0.1:8554/door' };

describe('error statuses come from the catalog', () => {
  test('every code has a status; the API codes and those of other areas map as documented', () => {
    for (const code of errorCodes) {
      const status = httpStatusOf(code);
      assert.ok(Number.isInteger(status) && status >= 400 && status < 600, `${code}: ${status}`);
    }
    const expected: Partial<Record<ErrorCode, number>> = {
      E_API_VALIDATION: 400,
      E_API_BAD_REQUEST: 400,
      E_API_UNAUTHORIZED: 401,
      E_API_FORBIDDEN: 403,
      E_API_NOT_FOUND: 404,
      E_API_CONFLICT: 409,
      E_API_HOST: 421,
      E_SERVICE_STARTING: 503,
      E_SOURCE_URL: 400,
      E_SOURCE_OPTIONS: 400,
      E_SOURCE_CAMERA_LIMIT: 409,
      E_PIPELINE_CONFIG: 400,
      E_CONFIG: 400,
      E_CONFIG_UNSAFE_BIND: 400,
      E_WHIP_SDP: 400,
      E_WHIP_NOT_FOUND: 404,
      E_WHIP_BUSY: 409,
      E_WHIP_NEGOTIATION: 500,
      E_BACKEND_RUN: 500,
      E_PIPELINE_INTERNAL: 500,
    };
    for (const [code, status] of Object.entries(expected))
      assert.equal(httpStatusOf(code as ErrorCode), status, code);
  });

  test('a TsnError thrown by the camera manager is answered with its code, status, message and context', async () => {
    const thrown: { error?: unknown } = {};
    const app = setup(thrown);
    const cases: [ErrorCode, number][] = [
      ['E_SOURCE_URL', 400],
      ['E_SOURCE_CAMERA_LIMIT', 409],
      ['E_PIPELINE_CONFIG', 400],
      ['E_CONFIG', 400],
      ['E_SERVICE_STARTING', 503],
      ['E_API_CONFLICT', 409],
    ];
    try {
      for (const [code, status] of cases) {
        thrown.error = new TsnError(code, `message of ${code}`, { context: { camera: 'door' } });
        const res = await app.inject({ method: 'POST', url: '/v1/cameras', headers: auth, payload: camera });
        assert.equal(res.statusCode, status, code);
        assert.deepEqual(res.json(), {
          error: { code, message: `message of ${code}`, details: { camera: 'door' } },
        });
      }
    } finally {
      await app.close();
    }
  });

  test('an internal error (a code without a status, or not a TsnError) is a 500 E_API_INTERNAL without internals', async () => {
    const thrown: { error?: unknown } = {};
    const app = setup(thrown);
    try {
      for (const error of [
        new TsnError('E_BACKEND_RUN', 'secret internals /models/x', { context: { path: '/models/x' } }),
        new Error('boom at /srv/internal'),
      ]) {
        thrown.error = error;
        const res = await app.inject({ method: 'POST', url: '/v1/cameras', headers: auth, payload: camera });
        assert.equal(res.statusCode, 500);
        assert.deepEqual(res.json(), {
          error: { code: 'E_API_INTERNAL', message: 'internal error; see the service log' },
        });
      }
    } finally {
      await app.close();
    }
  });

  test('WHIP errors use the same handler: E_WHIP_BUSY 409, E_WHIP_NEGOTIATION 500 with its code, 415 for a non-SDP body', async () => {
    const thrown: { error?: unknown } = {};
    const app = setup(thrown);
    const post = (headers: Record<string, string>) =>
      app.inject({ method: 'POST', url: '/v1/whip/door', headers, payload: 'v=0\r\n' });
    const sdp = { authorization: `Bearer ${token}`, 'content-type': 'application/sdp' };
    try {
      thrown.error = new TsnError('E_WHIP_BUSY', 'busy');
      let res = await post(sdp);
      assert.equal(res.statusCode, 409);
      assert.equal(res.json<{ error: { code: string } }>().error.code, 'E_WHIP_BUSY');
      thrown.error = new TsnError('E_WHIP_NEGOTIATION', 'ICE gathering failed');
      res = await post(sdp);
      assert.equal(res.statusCode, 500);
      assert.equal(res.json<{ error: { code: string } }>().error.code, 'E_WHIP_NEGOTIATION');
      res = await post({ ...sdp, 'content-type': 'text/plain' });
      assert.equal(res.statusCode, 415);
      assert.equal(res.json<{ error: { code: string } }>().error.code, 'E_WHIP_SDP');
      res = await app.inject({ method: 'DELETE', url: '/v1/whip/door/sessions/x', headers: sdp });
      assert.equal(res.statusCode, 404);
      assert.equal(res.json<{ error: { code: string } }>().error.code, 'E_WHIP_NOT_FOUND');
    } finally {
      await app.close();
    }
  });

  test('auth and Host gates: 401 E_API_UNAUTHORIZED (+ WWW-Authenticate), 403 E_API_FORBIDDEN, 421 E_API_HOST', async () => {
    const app = setup({});
    try {
      for (const url of ['/v1/cameras', '/v1/whip/door']) {
        let res = await app.inject({ method: 'POST', url, payload: {} });
        assert.equal(res.statusCode, 401, url);
        assert.equal(res.json<{ error: { code: string } }>().error.code, 'E_API_UNAUTHORIZED');
        assert.match(String(res.headers['www-authenticate']), /^Bearer/);
        res = await app.inject({
          method: 'POST',
          url,
          headers: { authorization: 'Bearer nope' },
          payload: {},
        });
        assert.equal(res.statusCode, 403, url);
        assert.equal(res.json<{ error: { code: string } }>().error.code, 'E_API_FORBIDDEN');
      }
      const res = await app.inject({ method: 'GET', url: '/healthz', headers: { host: 'evil.example:80' } });
      assert.equal(res.statusCode, 421);
      assert.equal(res.json<{ error: { code: string } }>().error.code, 'E_API_HOST');
      const bad = await app.inject({ method: 'GET', url: '/v1/events/recent?limit=0' });
      assert.equal(bad.statusCode, 400);
      assert.equal(bad.json<{ error: { code: string } }>().error.code, 'E_API_VALIDATION');
      const missing = await app.inject({ method: 'GET', url: '/nope' });
      assert.equal(missing.statusCode, 404);
      assert.equal(missing.json<{ error: { code: string } }>().error.code, 'E_API_NOT_FOUND');
    } finally {
      await app.close();
    }
  });
});

describe('one bearer check', () => {
  test('missing, wrong and right tokens; any of several; the WebSocket authorizer uses the same check', () => {
    const check = createBearerCheck(['one', 'two']);
    assert.equal(check(undefined), 'missing');
    assert.equal(check('three'), 'wrong');
    assert.equal(check('two'), 'ok');
    assert.equal(createBearerCheck([])('x'), 'wrong');
    const authorize = bearerTokenAuthorizer(['one']);
    const req = (url: string, authorization?: string) =>
      ({ url, headers: authorization === undefined ? {} : { authorization } }) as IncomingMessage;
    assert.equal(authorize(req('/v1/events', 'Bearer one')), true);
    assert.equal(authorize(req('/v1/events?token=one')), true);
    assert.equal(authorize(req('/v1/events', 'Bearer two')), false);
    assert.equal(authorize(req('/v1/events')), false);
  });
});
