// The example alert consumer notices that its durable consumer was deleted or its stream lost, and stops
// with a message (the command exits 1) instead of waiting silently for events that can never come.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { connect } from 'nats';
import { createNatsPublisher } from '../../../src/publish/nats/publisher.js';
import { AlertConsumerLost, runAlertConsumer } from '../../../simulators/alert-consumer.js';
import { needs } from '../../helpers/tools.js';
import { hasNatsServer, startNatsServer } from '../../helpers/nats-server.js';
import { repoRoot } from '../../helpers/paths.js';
import { waitFor } from '../../helpers/wait.js';

async function rig(t: TestContext) {
  const server = await startNatsServer();
  t.after(() => server.cleanup());
  const publisher = createNatsPublisher({ servers: server.url, jetstream: { enabled: true } });
  t.after(() => publisher.close());
  await waitFor('the stream', () => publisher.stats().streamReady);
  const admin = await connect({ servers: server.url });
  t.after(() => admin.close());
  const jsm = await admin.jetstreamManager();
  const consumerWaiting = () =>
    waitFor(
      'the consumer pulling',
      async () => (await jsm.consumers.info('ACTIONS', 'alerts').catch(() => undefined))?.num_waiting === 1,
    );
  return { server, jsm, consumerWaiting };
}

for (const lose of ['consumer', 'stream'] as const) {
  test(`a deleted ${lose} ends runAlertConsumer with AlertConsumerLost`, { timeout: 60_000 }, async (t) => {
    if (!needs(t, hasNatsServer(), 'nats-server')) return;
    const { server, jsm, consumerWaiting } = await rig(t);
    const controller = new AbortController();
    t.after(() => controller.abort());
    const running = runAlertConsumer({
      servers: server.url,
      durable: 'alerts',
      pullExpiresMs: 2000,
      onAlert: () => undefined,
      signal: controller.signal,
    });
    // Held from the start: the loss may be noticed before the test awaits it.
    const outcome = running.then(
      () => undefined,
      (e: unknown) => e,
    );
    await consumerWaiting();
    if (lose === 'consumer') await jsm.consumers.delete('ACTIONS', 'alerts');
    else await jsm.streams.delete('ACTIONS');
    const error = await outcome;
    assert.ok(error instanceof AlertConsumerLost, String(error));
    assert.match(error.message, /is gone/);
  });
}

test(
  'the alert-consumer command exits 1 with a message when its consumer is deleted',
  { timeout: 60_000 },
  async (t) => {
    if (!needs(t, hasNatsServer(), 'nats-server')) return;
    const { server, jsm, consumerWaiting } = await rig(t);
    const child = spawn(
      process.execPath,
      [
        join(repoRoot, 'dist', 'simulators', 'alert-consumer.js'),
        '--servers',
        server.url,
        '--durable',
        'alerts',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    t.after(() => child.kill('SIGKILL'));
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    await consumerWaiting();
    await jsm.consumers.delete('ACTIONS', 'alerts');
    assert.equal(await exited, 1, stderr);
    assert.match(stderr, /alert consumer "alerts" on stream ACTIONS is gone \(consumer-deleted\)/);
  },
);
