// The example alerting consumer (simulators/alert-consumer.ts) against a real nats-server fed by the publisher.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'nats';
import { createNatsPublisher } from '../../../src/publish/nats/publisher.js';
import { formatAlert, runAlertConsumer, type AlertEvent } from '../../../simulators/alert-consumer.js';
import { needs } from '../../helpers/tools.js';
import { hasNatsServer, startNatsServer } from '../../helpers/nats-server.js';
import { endedEvent, sampleEvent } from '../../unit/publish/samples.js';
import { collect } from './support.js';
import { waitFor } from '../../helpers/wait.js';

test('formatAlert prints one line per event', () => {
  assert.equal(
    formatAlert(sampleEvent() as AlertEvent),
    '2026-01-02T03:04:05.678Z ALERT STARTED camera=cam-1 label=falling score=0.910 id=evt-0001',
  );
  assert.equal(
    formatAlert(endedEvent() as AlertEvent),
    '2026-01-02T03:04:09.678Z ALERT ENDED   camera=cam-1 label=falling score=0.930 id=evt-0002',
  );
});

test('the durable alert consumer acks every event and resumes where it stopped', async (t) => {
  if (!needs(t, hasNatsServer(), 'nats-server')) return;
  const server = await startNatsServer();
  t.after(() => server.cleanup());
  const publisher = createNatsPublisher({ servers: server.url, jetstream: { enabled: true } });
  t.after(() => publisher.close());
  await waitFor('the stream', () => publisher.stats().streamReady);

  publisher.publishEvent(sampleEvent({ id: 'a1', label: 'falling', score: 0.9 }));
  publisher.publishEvent(sampleEvent({ id: 'a2', label: 'waving', score: 0.9 })); // other label
  publisher.publishEvent(sampleEvent({ id: 'a3', label: 'falling', score: 0.4 })); // below min score
  publisher.publishEvent(endedEvent({ id: 'a4', label: 'falling' }));
  assert.ok(await publisher.flush(5000));

  const run = async (expected: number): Promise<string[]> => {
    const controller = new AbortController();
    const alerts = collect<AlertEvent>(expected);
    const running = runAlertConsumer({
      servers: server.url,
      durable: 'alerts',
      labels: ['falling'],
      minScore: 0.8,
      onAlert: (_line, e) => alerts.push(e),
      signal: controller.signal,
    });
    const got = await alerts.done.finally(() => controller.abort());
    await running;
    return got.map((e) => e.id);
  };

  assert.deepEqual(await run(2), ['a1', 'a4']);
  const checker = await connect({ servers: server.url });
  t.after(() => checker.close());
  const jsm = await checker.jetstreamManager();
  await waitFor('acks', async () => (await jsm.consumers.info('ACTIONS', 'alerts')).num_ack_pending === 0);
  assert.equal((await jsm.consumers.info('ACTIONS', 'alerts')).num_pending, 0);

  publisher.publishEvent(sampleEvent({ id: 'b1', label: 'falling', score: 0.95 }));
  assert.ok(await publisher.flush(5000));
  assert.deepEqual(await run(1), ['b1']);
});
