import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { createBackend } from '../../../src/inference/create-backend.js';
import { isTsnError, TsnError } from '../../../src/errors/index.js';
import { LeastBusy } from '../../../src/inference/worker-backend.js';
import { maxAbsDiff, randomImages, randomModel } from './random-model.js';

const model = randomModel(18, 4, 11);
const images = randomImages(2, 5);

describe('backend in a worker thread (default)', () => {
  test('gives the same features as the same runtime on the main thread', async () => {
    const inWorker = await createBackend(model, { backend: 'onnx', executionProviders: ['cpu'], threads: 1 });
    const onMain = await createBackend(model, {
      backend: 'onnx',
      executionProviders: ['cpu'],
      threads: 1,
      thread: 'main',
    });
    try {
      const a = await inWorker.features(images, 2);
      const b = await onMain.features(images, 2);
      assert.equal(a.length, 2 * 512);
      assert.ok(maxAbsDiff(a, b) < 1e-6);
      assert.equal(inWorker.description, onMain.description);
    } finally {
      await Promise.all([inWorker.close(), onMain.close()]);
    }
  });

  test('the event loop keeps turning while the backbone runs', async () => {
    const backend = await createBackend(model, { backend: 'onnx', executionProviders: ['cpu'], threads: 1 });
    try {
      let done = false;
      const run = backend.features(images, 2).then(() => {
        done = true;
      });
      let turns = 0;
      while (!done) {
        await nextTurn();
        turns++;
      }
      await run;
      assert.ok(turns > 1, `only ${turns} event-loop turn(s) while a batch was computed`);
    } finally {
      await backend.close();
    }
  });

  test('requests posted before close() are answered; later ones reject with E_BACKEND_RUN', async () => {
    const backend = await createBackend(model, { backend: 'onnx', executionProviders: ['cpu'], threads: 1 });
    const first = backend.features(images, 2);
    const closed = backend.close();
    await assert.rejects(backend.features(images, 2), (e: unknown) => isTsnError(e, 'E_BACKEND_RUN'));
    assert.equal((await first).length, 2 * 512);
    await closed;
    // The caller's buffer is copied, not transferred: it stays usable.
    assert.equal(images.length, 2 * 3 * 224 * 224);
  });
});

test('a subarray view of a larger buffer is accepted and left intact', async () => {
  const backend = await createBackend(model, { backend: 'onnx', executionProviders: ['cpu'], threads: 1 });
  try {
    const frame = 3 * 224 * 224;
    const view = images.subarray(frame, 2 * frame);
    const fromView = await backend.features(view, 1);
    const fromCopy = await backend.features(images.slice(frame, 2 * frame), 1);
    assert.equal(view.length, frame);
    assert.deepEqual(fromView, fromCopy);
  } finally {
    await backend.close();
  }
});

describe('several workers (backend.workers)', () => {
  test('a call goes to the worker serving the fewest calls', async () => {
    const served: string[] = [];
    const release: (() => void)[] = [];
    const worker = (name: string) => ({ name, unusable: undefined });
    const pool = new LeastBusy([worker('a'), worker('b')]);
    const call = (w: { name: string }) =>
      new Promise<void>((done) => {
        served.push(w.name);
        release.push(done);
      });
    const first = pool.run(call);
    const second = pool.run(call);
    assert.deepEqual(served, ['a', 'b']);
    release[0]?.();
    await first;
    const third = pool.run(call);
    assert.deepEqual(served, ['a', 'b', 'a']);
    release.slice(1).forEach((done) => done());
    await Promise.all([second, third]);
  });

  test('a dead worker makes the pool unusable, like a single worker', async () => {
    const dead = new TsnError('E_BACKEND_RUN', 'The inference worker exited; recreate the backend.');
    const pool = new LeastBusy([{ unusable: undefined }, { unusable: dead }]);
    await assert.rejects(
      pool.run(() => Promise.resolve()),
      (e: unknown) => e === dead,
    );
  });

  test('two workers give the same features as one, for calls in flight together', async () => {
    const options = { backend: 'onnx', executionProviders: ['cpu'], threads: 1 } as const;
    const [one, two] = await Promise.all([
      createBackend(model, options),
      createBackend(model, { ...options, workers: 2 }),
    ]);
    try {
      const expected = await one.features(images, 2);
      const together = await Promise.all([two.features(images, 2), two.features(images, 2)]);
      for (const got of together) assert.ok(maxAbsDiff(got, expected) < 1e-6);
    } finally {
      await Promise.all([one.close(), two.close()]);
    }
  });
});

test('handOver moves a whole buffer to the worker instead of copying it; a view is still copied', async () => {
  const backend = await createBackend(model, { backend: 'onnx', executionProviders: ['cpu'], threads: 1 });
  try {
    const expected = await backend.features(images, 2);
    const own = images.slice();
    assert.ok(maxAbsDiff(await backend.features(own, 2, true), expected) < 1e-6);
    assert.equal(own.length, 0, 'moved: the caller gave it up');
    const frame = 3 * 224 * 224;
    const view = images.subarray(frame, 2 * frame);
    await backend.features(view, 1, true);
    assert.equal(view.length, frame, 'a view of a larger buffer is copied, not moved');
  } finally {
    await backend.close();
  }
});
