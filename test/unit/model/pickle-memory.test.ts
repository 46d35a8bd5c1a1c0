// A crafted pickle of one-byte containers (`]a` repeated: a list of 10 million empty lists) is refused
// while the reader's memory stays proportional to the file: it runs in a worker capped at 256 MB of heap,
// which the unbounded reader (1.9 GB for 20 MB) cannot stay under.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
const pickleModule = pathToFileURL(join(here, '../../../src/model/pickle/index.js')).href;

function crafted(pairs: number, pair: readonly number[]): Uint8Array {
  const bytes = new Uint8Array(3 + pairs * pair.length + 1);
  bytes.set([0x80, 4, 0x5d]); // PROTO 4, EMPTY_LIST
  for (let i = 0; i < pairs; i++) bytes.set(pair, 3 + i * pair.length);
  bytes[bytes.length - 1] = 0x2e; // STOP
  return bytes;
}

function readInCappedWorker(bytes: Uint8Array): Promise<{ code?: string; error?: string }> {
  const worker = new Worker(
    `const { parentPort, workerData } = require('node:worker_threads');
     import(workerData.module).then((m) => {
       try { m.readPickle(workerData.bytes); parentPort.postMessage({ code: 'parsed' }); }
       catch (e) { parentPort.postMessage({ code: e.code, error: e.message }); }
     });`,
    {
      eval: true,
      workerData: { module: pickleModule, bytes },
      resourceLimits: { maxOldGenerationSizeMb: 256, maxYoungGenerationSizeMb: 32 },
    },
  );
  return new Promise((resolve) => {
    worker.once('message', (m: { code?: string; error?: string }) => {
      resolve(m);
      void worker.terminate();
    });
    worker.once('error', (e: Error & { code?: string }) =>
      resolve({ ...(e.code === undefined ? {} : { code: e.code }), error: e.message }),
    );
  });
}

for (const [name, pair] of [
  ['empty lists', [0x5d, 0x61]], // EMPTY_LIST, APPEND
  ['empty dicts', [0x7d, 0x61]], // EMPTY_DICT, APPEND
  ['empty bytes', [0x43, 0x00, 0x61]], // SHORT_BINBYTES 0, APPEND
] as const) {
  test(`a 20 MB pickle of ${name} is refused with E_CKPT_TOO_LARGE within a 256 MB heap`, async () => {
    const bytes = crafted(Math.floor((20 << 20) / pair.length), pair);
    const result = await readInCappedWorker(bytes);
    assert.equal(result.code, 'E_CKPT_TOO_LARGE', JSON.stringify(result));
  });
}
