import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, resolveCamera } from '../../../src/config/index.js';
import { isTsnError, type TsnError } from '../../../src/errors/index.js';
import type { ConfigIssue } from '../../../src/config/index.js';

function failure(fn: () => unknown): TsnError {
  try {
    fn();
  } catch (error) {
    if (isTsnError(error)) return error;
    throw error;
  }
  assert.fail('expected a TsnError');
}

function issues(error: TsnError): ConfigIssue[] {
  return error.context.issues as ConfigIssue[];
}

describe('loadConfig', () => {
  test('an empty config is valid and gives the documented defaults', () => {
    const config = loadConfig({ env: {} });
    assert.equal(config.server.port, 8080);
    assert.equal(config.websocket.path, '/v1/events');
    assert.equal(config.nats.url, undefined);
    assert.equal(config.nats.prefix, 'actions');
    assert.equal(config.nats.jetstream.stream, 'ACTIONS');
    assert.equal(config.defaults.detector.onThreshold, 0.5);
    assert.deepEqual(config.cameras, []);
  });

  test('an unknown key is an error naming the key and its line:col in the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsn-config-'));
    const file = join(dir, 'c.yaml');
    writeFileSync(file, 'server:\n  port: 9000\n  prot: 3\n');
    const error = failure(() => loadConfig({ file, env: {} }));
    assert.equal(error.code, 'E_CONFIG_UNKNOWN_KEY');
    const [issue] = issues(error);
    assert.equal(issue?.path, 'server.prot');
    assert.equal(issue?.line, 3);
    assert.equal(issue?.col, 3);
    assert.match(error.message, /c\.yaml:3:3/);
    assert.match(error.message, /did you mean "port"/);
  });

  test('unknown keys are rejected inside nested sections and camera entries too', () => {
    const text = 'cameras:\n  - id: door\n    url: rtsp://x\n    detector:\n      onTreshold: 0.6\n';
    const error = failure(() => loadConfig({ text, sourceName: 'x.yaml', env: {} }));
    assert.equal(error.code, 'E_CONFIG_UNKNOWN_KEY');
    assert.deepEqual(
      issues(error).map((i) => [i.path, i.line, i.col]),
      [['cameras[0].detector.onTreshold', 5, 7]],
    );
  });

  test('a wrong value points at the value position', () => {
    const text = 'cameras:\n  - id: door\n    url: rtsp://x\n    windowMs: fast\n';
    const error = failure(() => loadConfig({ text, env: {} }));
    assert.equal(error.code, 'E_CONFIG');
    assert.deepEqual(
      issues(error).map((i) => [i.path, i.line, i.col]),
      [['cameras[0].windowMs', 4, 15]],
    );
  });

  test('invalid YAML is E_CONFIG_YAML with its position', () => {
    const error = failure(() => loadConfig({ text: 'server:\n  port: [1\n', env: {} }));
    assert.equal(error.code, 'E_CONFIG_YAML');
  });

  test('a missing file is E_CONFIG_FILE', () => {
    assert.equal(failure(() => loadConfig({ file: '/nonexistent/tsn.yaml', env: {} })).code, 'E_CONFIG_FILE');
  });

  test('more inference workers than calls in flight is an error that says what to set', () => {
    const error = failure(() => loadConfig({ text: 'backend: { workers: 2 }\n', env: {} }));
    assert.equal(error.code, 'E_CONFIG');
    assert.match(error.message, /batching\.maxInFlight/);
    const ok = loadConfig({
      text: 'backend: { workers: 2, threads: 1 }\nbatching: { maxInFlight: 2 }\n',
      env: {},
    });
    assert.equal(ok.backend.workers, 2);
  });

  test('duplicate camera ids are rejected', () => {
    const text = 'cameras:\n  - { id: a, url: rtsp://x }\n  - { id: a, url: rtsp://y }\n';
    assert.equal(failure(() => loadConfig({ text, env: {} })).code, 'E_CONFIG');
  });

  test('TSN_* environment variables override the file; other TSN_ variables are ignored', () => {
    const config = loadConfig({
      text: 'server:\n  port: 9000\ncameras:\n  - { id: a, url: rtsp://x }\n',
      env: {
        TSN_SERVER__PORT: '9100',
        TSN_NATS__URL: 'nats://127.0.0.1:4222',
        TSN_BATCHING__MAX_WAIT_MS: '20',
        TSN_BACKEND__EXECUTION_PROVIDERS: '[cuda, cpu]',
        TSN_CAMERAS__0__ENABLED: 'false',
        TSN_REQUIRE_ALL: '1',
        PATH: '/usr/bin',
      },
    });
    assert.equal(config.server.port, 9100);
    assert.equal(config.nats.url, 'nats://127.0.0.1:4222');
    assert.equal(config.batching.maxWaitMs, 20);
    assert.deepEqual(config.backend.executionProviders, ['cuda', 'cpu']);
    assert.equal(config.cameras[0]?.enabled, false);
  });

  test('a bad environment value names the variable', () => {
    const error = failure(() => loadConfig({ env: { TSN_SERVER__PORT: 'eighty' } }));
    assert.equal(error.code, 'E_CONFIG');
    assert.equal(issues(error)[0]?.source, 'environment TSN_SERVER__PORT');
    const unknown = failure(() => loadConfig({ env: { TSN_SERVER__PROT: '1' } }));
    assert.equal(unknown.code, 'E_CONFIG_UNKNOWN_KEY');
    assert.equal(issues(unknown)[0]?.source, 'environment TSN_SERVER__PROT');
  });

  test('TSN_SECTION_KEY with a single underscore is an error that shows the right spelling', () => {
    const error = failure(() => loadConfig({ env: { TSN_MODEL_DIR: '/m' } }));
    assert.equal(error.code, 'E_CONFIG_ENV');
    assert.match(error.message, /TSN_MODEL__DIR/);
    assert.equal(loadConfig({ env: { TSN_LOG_LEVEL: 'warn' } }).logLevel, 'warn');
    assert.equal(loadConfig({ env: { TSN_STATE_FILE: '/s.json' } }).stateFile, '/s.json');
  });

  test('flags win over environment and file', () => {
    const config = loadConfig({
      text: 'model:\n  dir: /models/a\ncameras:\n  - { id: door, url: rtsp://old }\n',
      env: { TSN_SERVER__PORT: '9100' },
      flags: {
        port: '9200',
        model: 'tsn_k400',
        nats: 'nats://n:4222',
        backend: 'tfjs',
        camera: ['door=rtsp://new', 'yard=rtsp://yard'],
      },
    });
    assert.equal(config.server.port, 9200);
    assert.equal(config.model.name, 'tsn_k400');
    assert.equal(config.model.dir, undefined);
    assert.equal(config.nats.url, 'nats://n:4222');
    assert.equal(config.backend.name, 'tfjs');
    assert.deepEqual(
      config.cameras.map((c) => [c.id, c.url]),
      [
        ['door', 'rtsp://new'],
        ['yard', 'rtsp://yard'],
      ],
    );
    assert.equal(loadConfig({ env: {}, flags: { model: './my-model' } }).model.dir, './my-model');
  });

  test('a malformed --camera flag is E_CONFIG_FLAG', () => {
    assert.equal(failure(() => loadConfig({ env: {}, flags: { camera: ['nourl'] } })).code, 'E_CONFIG_FLAG');
    const bad = failure(() => loadConfig({ env: {}, flags: { backend: 'torch' } }));
    assert.equal(issues(bad)[0]?.source, 'flag --backend');
  });

  test('the result is deeply frozen', () => {
    const config = loadConfig({ text: 'cameras:\n  - { id: a, url: rtsp://x }\n', env: {} });
    assert.ok(Object.isFrozen(config));
    assert.ok(Object.isFrozen(config.server.auth));
    assert.ok(Object.isFrozen(config.cameras[0]));
    assert.throws(() => {
      (config.server as { port: number }).port = 1;
    }, TypeError);
  });

  test('a camera inherits the defaults and overrides nested settings key by key', () => {
    const config = loadConfig({
      text: [
        'defaults:',
        '  windowMs: 3000',
        '  detector: { onThreshold: 0.6, perLabel: { archery: { onThreshold: 0.9 } } }',
        'cameras:',
        '  - id: a',
        '    url: rtsp://x',
        '    crop: ten',
        '    detector: { cooldownMs: 1000, perLabel: { archery: { minWindowsOn: 4 } } }',
      ].join('\n'),
      env: {},
    });
    const camera = resolveCamera(config.defaults, config.cameras[0]!);
    assert.equal(camera.windowMs, 3000);
    assert.equal(camera.crop, 'ten');
    assert.equal(camera.detector.onThreshold, 0.6);
    assert.equal(camera.detector.cooldownMs, 1000);
    assert.deepEqual(camera.detector.perLabel.archery, { onThreshold: 0.9, minWindowsOn: 4 });
    assert.equal(camera.detector.smoothing, 3);
  });
});
