// The cluster section: defaults (role all, no NATS), --role and TSN_CLUSTER__ROLE, nats.servers, and the
// config error for a cluster role without NATS.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig, natsServers } from '../../../src/config/index.js';
import { isTsnError } from '../../../src/errors/index.js';

const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (error) {
    return isTsnError(error) ? error.code : 'not a TsnError';
  }
  return undefined;
};

test('cluster defaults: role all, 10 s leases, no NATS needed', () => {
  const config = loadConfig({ env: {} });
  assert.equal(config.cluster.role, 'all');
  assert.equal(config.cluster.leaseTtlMs, 10_000);
  assert.equal(config.cluster.kvPrefix, 'tsn');
  assert.deepEqual(natsServers(config.nats), []);
});

test('edge or infer without nats servers is E_CONFIG_CLUSTER_NATS', () => {
  assert.equal(
    codeOf(() => loadConfig({ env: {}, flags: { role: 'edge' } })),
    'E_CONFIG_CLUSTER_NATS',
  );
  assert.equal(
    codeOf(() => loadConfig({ env: { TSN_CLUSTER__ROLE: 'infer' } })),
    'E_CONFIG_CLUSTER_NATS',
  );
});

test('TSN_CLUSTER__ROLE and TSN_NATS__SERVERS configure a role; --role overrides the environment', () => {
  const env = { TSN_CLUSTER__ROLE: 'infer', TSN_NATS__SERVERS: 'nats://a:4222, nats://b:4222' };
  assert.equal(loadConfig({ env }).cluster.role, 'infer');
  assert.deepEqual(natsServers(loadConfig({ env }).nats), ['nats://a:4222', 'nats://b:4222']);
  assert.equal(loadConfig({ env, flags: { role: 'edge' } }).cluster.role, 'edge');
  const listed = loadConfig({ env: { TSN_NATS__SERVERS: '[nats://a:4222, nats://b:4222]' } });
  assert.deepEqual(natsServers(listed.nats), ['nats://a:4222', 'nats://b:4222']);
});

test('an unknown role, a bad instance id or url plus servers are config errors', () => {
  assert.equal(
    codeOf(() => loadConfig({ env: {}, flags: { role: 'gpu' } })),
    'E_CONFIG',
  );
  assert.equal(
    codeOf(() => loadConfig({ env: { TSN_CLUSTER__INSTANCE_ID: '"a b"', TSN_NATS__URL: 'nats://a' } })),
    'E_CONFIG',
  );
  assert.equal(
    codeOf(() => loadConfig({ env: { TSN_NATS__URL: 'nats://a', TSN_NATS__SERVERS: 'nats://b' } })),
    'E_CONFIG',
  );
});
