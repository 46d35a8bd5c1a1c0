import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { buildApi, type Readiness } from '../../../src/api/index.js';
import { loadConfig, type ResolvedCamera } from '../../../src/config/index.js';
import type { ActionEvent } from '../../../src/domain/index.js';
import { CameraRegistry, type CameraRuntime } from '../../../src/service/camera-manager.js';
import { RecentEventRing } from '../../../src/service/event-ring.js';
import { DeferredCameraManager } from '../../../src/service/deferred-cameras.js';
import { readStateFile, writeStateFile } from '../../../src/service/state-file.js';

const token = 'a-very-long-test-token-0123456789';
const auth = { authorization: `Bearer ${token}` };

interface FakeCamera {
  readonly camera: ResolvedCamera;
  closed: boolean;
}

async function setup(options: { stateFile?: string; ready?: Readiness; whip?: boolean } = {}) {
  const config = loadConfig({ env: {} });
  const started: FakeCamera[] = [];
  const stateFile = options.stateFile ?? join(mkdtempSync(join(tmpdir(), 'tsn-api-')), 'state.json');
  const registry = new CameraRegistry({
    defaults: config.defaults,
    now: () => 1000,
    persist: (cameras) => writeStateFile(stateFile, cameras),
    startCamera: (camera): CameraRuntime => {
      const fake: FakeCamera = { camera, closed: false };
      started.push(fake);
      return {
        status: () => ({ state: 'streaming', sinceMs: 1000, width: 224, height: 224 }),
        stats: () => ({ fps: 4, lastPrediction: null, counters: { frames: 12 } }),
        stopIntake: async () => undefined,
        close: async () => {
          fake.closed = true;
        },
      };
    },
  });
  registry.startAll((await readStateFile(stateFile)) ?? []);
  const events = new RecentEventRing(3);
  const metrics = new Registry();
  const app = buildApi({
    cameras: registry,
    events,
    metrics,
    readiness: () => options.ready ?? { ready: true, checks: { model: true, sources: true } },
    auth: { token, protectMutations: true },
    webSocketPath: '/v1/events',
    ...(options.whip === true
      ? { whip: { publish: async () => ({ sessionId: 's', answerSdp: 'v=0' }), end: async () => false } }
      : {}),
  });
  return { app, registry, started, events, stateFile, metrics };
}

function event(n: number, camera = 'door'): ActionEvent {
  return {
    schemaVersion: 1,
    id: `e${n}`,
    type: 'action.started',
    episodeId: `p${n}`,
    camera,
    label: 'archery',
    labelIndex: 5,
    score: 0.9,
    peakScore: 0.9,
    startedAt: new Date(n).toISOString(),
    startedAtMs: n,
    endedAt: null,
    endedAtMs: null,
    window: { startMs: 0, endMs: 4000, numSeg: 8 },
    top: [],
    modelId: 'm',
  };
}

describe('HTTP API', () => {
  test('cameras: add, get, list, patch, delete; other cameras are not disturbed', async () => {
    const { app, started } = await setup();
    const a = await app.inject({
      method: 'POST',
      url: '/v1/cameras',
      headers: auth,
      payload: { id: 'a', url: 'rtsp://x/a' },
    });
    assert.equal(a.statusCode, 201);
    assert.equal(a.headers.location, '/v1/cameras/a');
    await app.inject({
      method: 'POST',
      url: '/v1/cameras',
      headers: auth,
      payload: { id: 'b', url: 'rtsp://x/b' },
    });
    const list = (await app.inject({ url: '/v1/cameras' })).json<{ cameras: { id: string }[] }>();
    assert.deepEqual(
      list.cameras.map((c) => c.id),
      ['a', 'b'],
    );
    const one = (await app.inject({ url: '/v1/cameras/a' })).json<Record<string, unknown>>();
    assert.equal(one.fps, 4);
    assert.deepEqual(one.status, { state: 'streaming', sinceMs: 1000, width: 224, height: 224 });
    assert.deepEqual(one.counters, { frames: 12 });

    const patched = await app.inject({
      method: 'PATCH',
      url: '/v1/cameras/a',
      headers: auth,
      payload: { windowMs: 2000, detector: { onThreshold: 0.7 } },
    });
    assert.equal(patched.statusCode, 200);
    assert.equal(patched.json<{ windowMs: number }>().windowMs, 2000);
    const [firstA, b, secondA] = started;
    assert.equal(firstA?.closed, true, 'the old runtime of a is stopped');
    assert.equal(secondA?.camera.windowMs, 2000);
    assert.equal(secondA?.camera.detector.onThreshold, 0.7);
    assert.equal(b?.closed, false, 'b is untouched');

    const disabled = await app.inject({
      method: 'PATCH',
      url: '/v1/cameras/a',
      headers: auth,
      payload: { enabled: false },
    });
    assert.equal(disabled.json<{ status: { state: string } }>().status.state, 'stopped');
    assert.equal(started.length, 3, 'a disabled camera is not started');

    assert.equal(
      (await app.inject({ method: 'DELETE', url: '/v1/cameras/a', headers: auth })).statusCode,
      204,
    );
    assert.equal((await app.inject({ url: '/v1/cameras/a' })).statusCode, 404);
    assert.equal(b?.closed, false);
    await app.close();
  });

  test('validation errors are 400 with code, message and details', async () => {
    const { app } = await setup();
    const cases = [
      { id: 'bad id!', url: 'rtsp://x' },
      { id: 'a' },
      { id: 'a', url: 'rtsp://x', windwMs: 1 },
      { id: 'a', url: 'rtsp://x', crop: 'corner' },
    ];
    for (const payload of cases) {
      const res = await app.inject({ method: 'POST', url: '/v1/cameras', headers: auth, payload });
      assert.equal(res.statusCode, 400, JSON.stringify(payload));
      const body = res.json<{ error: { code: string; message: string; details: { issues: unknown[] } } }>();
      assert.equal(body.error.code, 'E_API_VALIDATION');
      assert.ok(body.error.details.issues.length > 0);
    }
    const badJson = await app.inject({
      method: 'POST',
      url: '/v1/cameras',
      headers: { ...auth, 'content-type': 'application/json' },
      payload: '{"id":',
    });
    assert.equal(badJson.statusCode, 400);
    assert.equal(badJson.json<{ error: { code: string } }>().error.code, 'E_API_BAD_REQUEST');
    await app.inject({
      method: 'POST',
      url: '/v1/cameras',
      headers: auth,
      payload: { id: 'a', url: 'rtsp://x' },
    });
    const patchId = await app.inject({
      method: 'PATCH',
      url: '/v1/cameras/a',
      headers: auth,
      payload: { id: 'b' },
    });
    assert.equal(patchId.json<{ error: { code: string } }>().error.code, 'E_API_VALIDATION');
    const dup = await app.inject({
      method: 'POST',
      url: '/v1/cameras',
      headers: auth,
      payload: { id: 'a', url: 'rtsp://y' },
    });
    assert.equal(dup.statusCode, 409);
    assert.equal(dup.json<{ error: { code: string } }>().error.code, 'E_API_CONFLICT');
    const missing = await app.inject({ method: 'PATCH', url: '/v1/cameras/zz', headers: auth, payload: {} });
    assert.equal(missing.json<{ error: { code: string } }>().error.code, 'E_API_NOT_FOUND');
    const noRoute = await app.inject({ url: '/v2/nothing' });
    assert.equal(noRoute.statusCode, 404);
    assert.equal(noRoute.json<{ error: { code: string } }>().error.code, 'E_API_NOT_FOUND');
    await app.close();
  });

  test('mutations need the bearer token: 401 without, 403 with a wrong one; reads do not', async () => {
    const { app, registry } = await setup();
    const payload = { id: 'a', url: 'rtsp://x' };
    const none = await app.inject({ method: 'POST', url: '/v1/cameras', payload });
    assert.equal(none.statusCode, 401);
    assert.equal(none.json<{ error: { code: string } }>().error.code, 'E_API_UNAUTHORIZED');
    assert.match(String(none.headers['www-authenticate']), /^Bearer/);
    const wrong = await app.inject({
      method: 'POST',
      url: '/v1/cameras',
      payload,
      headers: { authorization: 'Bearer nope' },
    });
    assert.equal(wrong.statusCode, 403);
    assert.equal(wrong.json<{ error: { code: string } }>().error.code, 'E_API_FORBIDDEN');
    const del = await app.inject({
      method: 'DELETE',
      url: '/v1/cameras/a',
      headers: { authorization: `Bearer ${token}x` },
    });
    assert.equal(del.statusCode, 403);
    assert.equal(registry.list().length, 0);
    assert.equal((await app.inject({ url: '/v1/cameras' })).statusCode, 200);
    await app.close();
  });

  test('camera URL credentials never appear in responses', async () => {
    const { app } = await setup();
    const url = 'rtsp://admin:s3cr3tpw@10.0.0.5:554/stream?token=t0k3nvalue';
    const created = await app.inject({
      method: 'POST',
      url: '/v1/cameras',
      headers: auth,
      payload: { id: 'a', url, substreamUrl: 'rtsp://admin:s3cr3tpw@10.0.0.5/sub' },
    });
    for (const res of [
      created,
      await app.inject({ url: '/v1/cameras' }),
      await app.inject({ url: '/v1/cameras/a' }),
    ]) {
      assert.doesNotMatch(res.body, /s3cr3tpw|t0k3nvalue/);
      assert.match(res.body, /10\.0\.0\.5/);
    }
    await app.close();
  });

  test('camera changes persist to the state file and survive a restart', async () => {
    const first = await setup();
    await first.app.inject({
      method: 'POST',
      url: '/v1/cameras',
      headers: auth,
      payload: { id: 'a', url: 'rtsp://x/a' },
    });
    await first.app.inject({
      method: 'POST',
      url: '/v1/cameras',
      headers: auth,
      payload: { id: 'b', url: 'rtsp://x/b' },
    });
    await first.app.inject({
      method: 'PATCH',
      url: '/v1/cameras/b',
      headers: auth,
      payload: { crop: 'ten' },
    });
    await first.app.inject({ method: 'DELETE', url: '/v1/cameras/a', headers: auth });
    await first.app.close();
    await first.registry.close();
    assert.ok(first.started.every((c) => c.closed));

    const second = await setup({ stateFile: first.stateFile });
    const cameras = (await second.app.inject({ url: '/v1/cameras' })).json<{
      cameras: { id: string; crop: string }[];
    }>();
    assert.deepEqual(
      cameras.cameras.map((c) => [c.id, c.crop]),
      [['b', 'ten']],
    );
    assert.equal(second.started[0]?.camera.crop, 'ten');
    await second.app.close();
  });

  test('health, readiness, metrics, recent events', async () => {
    const notReady = await setup({ ready: { ready: false, checks: { model: true, sources: false } } });
    assert.equal((await notReady.app.inject({ url: '/healthz' })).statusCode, 200);
    const readyz = await notReady.app.inject({ url: '/readyz' });
    assert.equal(readyz.statusCode, 503);
    assert.deepEqual(readyz.json(), { ready: false, checks: { model: true, sources: false } });
    await notReady.app.close();

    const { app, events, metrics } = await setup();
    assert.equal((await app.inject({ url: '/readyz' })).statusCode, 200);
    metrics.setDefaultLabels({});
    const metricsRes = await app.inject({ url: '/metrics' });
    assert.equal(metricsRes.statusCode, 200);
    assert.match(String(metricsRes.headers['content-type']), /text\/plain/);
    for (let n = 1; n <= 5; n++) events.push(event(n, n % 2 === 0 ? 'yard' : 'door'));
    const recent = (await app.inject({ url: '/v1/events/recent?limit=10' })).json<{
      events: ActionEvent[];
    }>();
    assert.deepEqual(
      recent.events.map((e) => e.id),
      ['e5', 'e4', 'e3'],
      'newest first, bounded by the ring',
    );
    const yard = (await app.inject({ url: '/v1/events/recent?camera=yard' })).json<{
      events: ActionEvent[];
    }>();
    assert.deepEqual(
      yard.events.map((e) => e.id),
      ['e4'],
    );
    const bad = await app.inject({ url: '/v1/events/recent?limit=0' });
    assert.equal(bad.statusCode, 400);
    assert.equal((await app.inject({ url: '/v1/events/recent?since=1' })).statusCode, 400);
    await app.close();
  });

  test('while the service starts, cameras read as none and changes are 503 E_SERVICE_STARTING', async () => {
    const app = buildApi({
      cameras: new DeferredCameraManager(),
      events: new RecentEventRing(1),
      metrics: new Registry(),
      readiness: () => ({ ready: false, checks: { model: false, cameras: false } }),
      auth: { protectMutations: true },
    });
    assert.deepEqual((await app.inject({ url: '/v1/cameras' })).json(), { cameras: [] });
    const res = await app.inject({
      method: 'POST',
      url: '/v1/cameras',
      payload: { id: 'a', url: 'rtsp://x' },
    });
    assert.equal(res.statusCode, 503);
    assert.equal(res.json<{ error: { code: string } }>().error.code, 'E_SERVICE_STARTING');
    assert.equal((await app.inject({ url: '/readyz' })).statusCode, 503);
    await app.close();
  });

  test('the OpenAPI document lists every route the server answers, and only those', async () => {
    await assertOpenApiMatchesRoutes(false);
    await assertOpenApiMatchesRoutes(true);
  });
});

async function assertOpenApiMatchesRoutes(whip: boolean): Promise<void> {
  {
    const { app } = await setup({ whip });
    await app.ready();
    const doc = (await app.inject({ url: '/openapi.json' })).json<{
      paths: Record<string, Record<string, unknown>>;
    }>();
    const documented = new Set<string>();
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const method of Object.keys(item)) {
        if (method !== 'parameters')
          documented.add(`${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`);
      }
    }
    const served = new Set<string>();
    for (const route of registeredRoutes(app)) served.add(route);
    served.add('GET /v1/events'); // answered by the WebSocket hub on the same server
    assert.deepEqual([...documented].sort(), [...served].sort());
    await app.close();
  }
}

/** Parses fastify's route tree ("├── /v1/cameras (GET, HEAD, POST)" / "│   └── /:id (GET, ...)"). */
function registeredRoutes(app: Awaited<ReturnType<typeof setup>>['app']): string[] {
  const out: string[] = [];
  const stack: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const match = /^([│ ]*)[├└]── (\S+) \(([^)]*)\)/.exec(line);
    if (match === null) continue;
    const depth = (match[1] ?? '').length / 4;
    stack.length = depth;
    stack.push(match[2] ?? '');
    for (const method of (match[3] ?? '').split(', '))
      if (method !== 'HEAD') out.push(`${method} ${stack.join('')}`);
  }
  return out;
}
