// Remote inference over a real nats-server: features computed by workers equal the local backend's
// exactly, a closed worker does not stop the answers, a worker never answers for a model it lacks.
import { after, before, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type NatsConnection } from 'nats';
import { firstValueFrom, from } from 'rxjs';
import { InferWorker } from '../../../src/cluster/infer-worker.js';
import { createRemoteEmbed, inferSubject } from '../../../src/cluster/remote-embed.js';
import type { SegmentFrame } from '../../../src/domain/index.js';
import { isTsnError } from '../../../src/errors/index.js';
import type { Backend } from '../../../src/inference/backend.js';
import { createBackend } from '../../../src/inference/create-backend.js';
import { createEmbed } from '../../../src/inference/pipeline-inference.js';
import { hasNatsServer, startNatsServer, type NatsServerHandle } from '../../helpers/nats-server.js';
import { needs } from '../../helpers/tools.js';
import { randomModel } from '../../unit/inference/random-model.js';

const natsAvailable = hasNatsServer();
const model = randomModel(18, 5, 3);

function segment(seed: number): SegmentFrame {
  const rgb = new Uint8Array(224 * 224 * 3);
  for (let i = 0; i < rgb.length; i++) rgb[i] = (i * 31 + seed * 97) % 251;
  const frame = { cameraId: 'c', width: 224, height: 224, rgb, ptsMs: 0, wallMs: 0 };
  return { cameraId: 'c', segmentIndex: seed, segmentStartMs: 0, segmentEndMs: 0, frame };
}

describe('remote inference on a real nats-server', () => {
  let server: NatsServerHandle | undefined;
  let backend: Backend | undefined;
  const connections: NatsConnection[] = [];
  const workers: InferWorker[] = [];

  before(async () => {
    if (!natsAvailable) return;
    server = await startNatsServer({ jetstream: false });
    backend = await createBackend(model, {
      backend: 'onnx',
      executionProviders: ['cpu'],
      threads: 1,
      thread: 'main',
    });
  });
  after(async () => {
    for (const w of workers) await w.close();
    for (const c of connections) await c.close();
    await backend?.close();
    await server?.cleanup();
  });

  const subject = inferSubject('tsn', model.id);
  async function startWorker(id: string, modelId = model.id): Promise<InferWorker> {
    const nc = await connect({ servers: server!.url });
    connections.push(nc);
    const embed = createEmbed(backend!, model);
    const worker = new InferWorker(nc, {
      workerId: id,
      models: new Map([
        [modelId, { subject: inferSubject('tsn', modelId), embed, featureDim: backend!.featureDim }],
      ]),
      queueGroup: 'tsn-infer',
      maxBatch: 4,
      maxWaitMs: 5,
      maxQueue: 16,
    });
    workers.push(worker);
    return worker;
  }

  test('workers return exactly the local features; one closing does not stop the answers', async (t: TestContext) => {
    if (!needs(t, natsAvailable, 'nats-server')) return;
    const [w1, w2] = [await startWorker('w1'), await startWorker('w2')];
    const edge = await connect({ servers: server!.url });
    connections.push(edge);
    const remote = createRemoteEmbed(edge, { modelId: model.id, subject, timeoutMs: 5000, now: Date.now });
    const batch = [segment(1), segment(2), segment(3)];
    const local = await firstValueFrom(from(createEmbed(backend!, model)(batch, 1)));
    const viaNats = await firstValueFrom(from(remote.embed(batch, 1)));
    assert.deepEqual([...viaNats], [...local]);

    await w1.close();
    for (let i = 0; i < 4; i++) {
      const again = await firstValueFrom(from(remote.embed([segment(10 + i)], 1)));
      assert.equal(again.length, backend!.featureDim);
    }
    assert.ok(w2.stats.frames >= 4, `w2 answered ${w2.stats.frames} frames`);
    assert.ok(remote.stats.roundTripsMs.length >= 5);
  });

  test('a worker never answers for a model it does not hold', async (t: TestContext) => {
    if (!needs(t, natsAvailable, 'nats-server')) return;
    const other = await startWorker('w-other', 'some-other-model');
    const edge = await connect({ servers: server!.url });
    connections.push(edge);
    const remote = createRemoteEmbed(edge, {
      modelId: 'missing-model',
      subject: inferSubject('tsn', 'missing-model'),
      timeoutMs: 300,
      now: Date.now,
    });
    await assert.rejects(firstValueFrom(from(remote.embed([segment(1)], 1))), (e) =>
      isTsnError(e, 'E_CLUSTER_INFER_TIMEOUT'),
    );
    assert.equal(remote.stats.retries, 1);
    assert.equal(other.stats.requests, 0);
  });
});
