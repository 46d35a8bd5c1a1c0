import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildConnectOptions, buildStreamConfig } from '../../../src/publish/nats/options.js';

test('connect options: reconnect forever, our own first-connect loop, credentials passed through', () => {
  assert.deepEqual(buildConnectOptions({ servers: ['nats://a:4222', 'nats://b:4222'], name: 'tsn' }), {
    servers: ['nats://a:4222', 'nats://b:4222'],
    name: 'tsn',
    reconnect: true,
    maxReconnectAttempts: -1,
    ignoreAuthErrorAbort: true,
    waitOnFirstConnect: false,
    reconnectTimeWait: 1000,
    reconnectJitter: 100,
    pingInterval: 20_000,
    timeout: 5000,
  });
  const withAuth = buildConnectOptions({
    servers: 'nats://a:4222',
    user: 'u',
    pass: 'p',
    token: 't',
    tls: { caFile: '/ca.pem' },
  });
  assert.equal(withAuth.user, 'u');
  assert.equal(withAuth.pass, 'p');
  assert.equal(withAuth.token, 't');
  assert.deepEqual(withAuth.tls, { caFile: '/ca.pem' });
  assert.equal(withAuth.authenticator, undefined);
  // A syntactically valid user seed (nats.js checks the prefix when it signs, not here).
  const nkey = buildConnectOptions({
    servers: 'x',
    nkeySeed: 'SUAEL6GG2L2HIF7DUGZJGMRUFKXELGGYFMHF76UO2AYBG3K4YLWR3FKC2Q',
  });
  assert.equal(typeof nkey.authenticator, 'function');
});

test('stream config golden', () => {
  assert.deepEqual(buildStreamConfig({ enabled: true }, 'actions.events.>'), {
    name: 'ACTIONS',
    subjects: ['actions.events.>'],
    retention: 'limits',
    storage: 'file',
    discard: 'old',
    max_age: 7 * 24 * 3600 * 1000 * 1_000_000,
    max_msgs: 1_000_000,
    duplicate_window: 120_000 * 1_000_000,
    num_replicas: 1,
  });
  const custom = buildStreamConfig(
    {
      enabled: true,
      stream: 'ALERTS',
      subjects: ['site.events.>'],
      maxAgeMs: 0,
      maxMsgs: -1,
      duplicateWindowMs: 5000,
      replicas: 3,
      storage: 'memory',
    },
    'ignored.>',
  );
  assert.equal(custom.name, 'ALERTS');
  assert.deepEqual(custom.subjects, ['site.events.>']);
  assert.equal(custom.max_age, 0);
  assert.equal(custom.max_msgs, -1);
  assert.equal(custom.duplicate_window, 5_000_000_000);
  assert.equal(custom.num_replicas, 3);
  assert.equal(custom.storage, 'memory');
});
