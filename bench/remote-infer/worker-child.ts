// The inference worker of bench:remote in its own process, so its CPU is measured apart from the edge's
// (the parent). Usage: node worker-child.js '{"natsUrl": "...", "depth": 50, ...}'. Prints {"ready": true}
// once subscribed; answers each "stats" line on stdin with one JSON line of InferWorkerStats; stops on
// SIGTERM/SIGINT or when stdin closes (the parent died), so it never outlives the benchmark.
import { createInterface } from 'node:readline';
import { connect } from 'nats';
import { InferWorker } from '../../src/cluster/infer-worker.js';
import { inferSubject } from '../../src/cluster/remote-embed.js';
import { createBackend } from '../../src/inference/create-backend.js';
import { createEmbed } from '../../src/inference/pipeline-inference.js';
import type { ResNetDepth } from '../../src/model/types.js';
import { randomTsnModel } from '../pipeline/random-model.js';

export interface WorkerChildConfig {
  readonly natsUrl: string;
  readonly depth: ResNetDepth;
  readonly numClasses: number;
  readonly threads: number;
  readonly maxBatch: number;
  readonly maxWaitMs: number;
  readonly maxQueue: number;
  readonly subjectPrefix: string;
}

async function main(): Promise<void> {
  const config = JSON.parse(process.argv[2] ?? '{}') as WorkerChildConfig;
  // Same depth, classes and seed as the parent's model: same weights, same id, same subject.
  const model = randomTsnModel(config.depth, config.numClasses, 8);
  const backend = await createBackend(model, {
    backend: 'onnx',
    executionProviders: ['cpu'],
    threads: config.threads,
  });
  const nc = await connect({ servers: config.natsUrl, name: 'bench-infer-worker' });
  const worker = new InferWorker(nc, {
    workerId: 'bench-worker',
    models: new Map([
      [
        model.id,
        {
          subject: inferSubject(config.subjectPrefix, model.id),
          embed: createEmbed(backend, model),
          featureDim: backend.featureDim,
        },
      ],
    ]),
    queueGroup: 'tsn-infer',
    maxBatch: config.maxBatch,
    maxWaitMs: config.maxWaitMs,
    maxQueue: config.maxQueue,
  });
  await nc.flush();
  process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    if (line.trim() === 'stats') process.stdout.write(`${JSON.stringify(worker.stats)}\n`);
  });
  await new Promise<void>((done) => {
    process.once('SIGTERM', done);
    process.once('SIGINT', done);
    lines.once('close', done);
  });
  await worker.close();
  await nc.close();
  await backend.close();
  process.exit(0);
}

main().catch((error: unknown) => {
  process.stderr.write(`infer worker: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(2);
});
