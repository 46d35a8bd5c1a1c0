// Safe by default (issue 12): loopback bind, no anonymous network exposure, Host and Origin checks.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import WebSocket from 'ws';
import { loadConfig } from '../../../src/config/index.js';
import { locateFfmpeg } from '../../../src/config/ffmpeg-path.js';
import { startService, type RunningService } from '../../../src/compose/start-service.js';
import { startServe } from './serve-process.js';
import { waitFor } from '../../helpers/wait.js';

const work = mkdtempSync(join(tmpdir(), 'tsn-exposure-'));
const missingModel = join(work, 'no-model');

function writeConfig(name: string, lines: readonly string[]): string {
  const path = join(work, name);
  writeFileSync(path, [...lines, `model: { dir: ${missingModel} }`, 'cameras: []'].join('\n'));
  return path;
}

/** The HTTP API, WebSockets and live view of a service whose model never loads: the gates in front. */
async function startGatesOnly(extra: readonly string[]): Promise<RunningService> {
  const hasServer = extra.some((line) => line.startsWith('server:'));
  const config = loadConfig({
    text: [
      ...(hasServer ? [] : ['server: { host: 127.0.0.1, port: 0 }']),
      ...extra,
      `model: { dir: ${missingModel} }`,
      'cameras: []',
    ].join('\n'),
    env: {},
  });
  // With an ffmpeg the live view is served too: its upgrade has the same gate.
  const service = await startService(config, {
    logger: pino({ level: 'silent' }),
    ffmpegPath: locateFfmpeg()?.path,
  });
  service.started.catch(() => undefined);
  return service;
}

function statusFor(url: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/healthz`, { headers: { host } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.once('error', reject);
    req.end();
  });
}

function upgrade(
  url: string,
  headers: Record<string, string>,
  path = '/v1/events',
): Promise<'open' | number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url.replace('http', 'ws')}${path}`, { headers });
    ws.once('open', () => {
      ws.close();
      resolve('open');
    });
    ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.once('error', reject);
  });
}

describe('safe by default', () => {
  after(() => rmSync(work, { recursive: true, force: true }));

  test('the default configuration binds loopback only', () => {
    const config = loadConfig({ file: 'configs/default.yaml', env: {} });
    assert.equal(config.server.host, '127.0.0.1');
    assert.equal(loadConfig({ env: {} }).server.host, '127.0.0.1');
    assert.equal(config.server.auth.allowAnonymous, false);
  });

  test('tsn serve on 0.0.0.0 without a token refuses to start, naming the fix; allowAnonymous starts', async () => {
    const refused = startServe([
      '--config',
      writeConfig('open.yaml', ['server: { host: 0.0.0.0, port: 0 }']),
    ]);
    assert.equal(await refused.exited, 2);
    assert.match(refused.stderr(), /E_CONFIG_UNSAFE_BIND/);
    assert.match(refused.stderr(), /server\.auth\.token/);
    assert.equal(refused.stderr().trim().split('\n').length, 1, 'one line, no stack trace');
    assert.equal(
      refused.logs.find((l) => l.msg === 'listening'),
      undefined,
      'never listened',
    );

    const anonymous = startServe([
      '--config',
      writeConfig('anon.yaml', ['server: { host: 0.0.0.0, port: 0, auth: { allowAnonymous: true } }']),
    ]);
    try {
      await waitFor('listening', () => anonymous.logs.find((l) => l.msg === 'listening'), 60_000);
    } finally {
      anonymous.child.kill('SIGTERM');
      await anonymous.exited;
    }
  });

  test('a request addressed to a foreign Host gets 421 E_API_HOST; loopback names and allowedHosts pass', async () => {
    const service = await startGatesOnly([
      "server: { host: 127.0.0.1, port: 0, allowedHosts: ['tsn.example'] }",
    ]);
    try {
      assert.equal(await statusFor(service.url, 'evil.example'), 421);
      assert.equal(await statusFor(service.url, 'evil.example:8080'), 421);
      assert.equal(await statusFor(service.url, 'localhost:1234'), 200);
      assert.equal(await statusFor(service.url, `127.0.0.1:${service.port}`), 200);
      assert.equal(await statusFor(service.url, 'tsn.example'), 200);
      const body = await new Promise<string>((resolve) =>
        request(`${service.url}/v1/cameras`, { headers: { host: 'evil.example' } }, (res) => {
          let text = '';
          res.on('data', (d: Buffer) => (text += d.toString()));
          res.on('end', () => resolve(text));
        }).end(),
      );
      assert.equal((JSON.parse(body) as { error: { code: string } }).error.code, 'E_API_HOST');
      // The WebSocket upgrade bypasses HTTP hooks: it checks Host itself, and answers the same 421.
      assert.equal(await upgrade(service.url, { host: 'evil.example' }), 421);
      assert.equal(await upgrade(service.url, { host: 'evil.example' }, '/v1/live/cam'), 421);
    } finally {
      await service.close();
    }
  });

  test('a page on another origin cannot open the WebSocket; same origin, no Origin and allowed origins can', async () => {
    const service = await startGatesOnly(["websocket: { allowedOrigins: ['https://ops.example'] }"]);
    try {
      const host = `127.0.0.1:${service.port}`;
      assert.equal(await upgrade(service.url, { origin: 'https://evil.example' }), 403);
      assert.equal(await upgrade(service.url, { origin: 'http://localhost.evil.example' }), 403);
      assert.equal(await upgrade(service.url, { origin: `http://${host}` }), 'open');
      assert.equal(await upgrade(service.url, {}), 'open');
      assert.equal(await upgrade(service.url, { origin: 'https://ops.example' }), 'open');
      // The live view's upgrade has the same gate: refused before it looks for the camera (404).
      assert.equal(await upgrade(service.url, { origin: 'https://evil.example' }, '/v1/live/cam'), 403);
      assert.equal(await upgrade(service.url, { origin: `http://${host}` }, '/v1/live/cam'), 404);
    } finally {
      await service.close();
    }
  });
});
