import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { defer, timer, map } from 'rxjs';
import { FairBatcher } from '../../../src/pipeline/fair-batcher.js';
import { BatchDriver } from '../../../src/pipeline/batch-driver.js';
import type { BatchingOptions } from '../../../src/pipeline/options.js';
import { testScheduler } from './fakes.js';

interface Item {
  readonly cameraId: string;
  readonly n: number;
}

const opts = (o: Partial<BatchingOptions> = {}): BatchingOptions => ({
  maxBatch: 4,
  maxWaitMs: 50,
  maxQueue: 16,
  maxInFlight: 1,
  ...o,
});

const item = (cameraId: string, n: number): Item => ({ cameraId, n });
const names = (batch: readonly Item[] | null): string[] => (batch ?? []).map((i) => `${i.cameraId}${i.n}`);

describe('FairBatcher (pure core)', () => {
  test('releases a batch when maxBatch items wait', () => {
    const b = new FairBatcher<Item>(opts());
    for (let n = 0; n < 3; n++) b.enqueue(item('a', n), 0);
    assert.equal(b.nextBatch(10), null);
    b.enqueue(item('a', 3), 10);
    assert.deepEqual(names(b.nextBatch(10)), ['a0', 'a1', 'a2', 'a3']);
  });

  test('releases a partial batch maxWaitMs after the oldest item', () => {
    const b = new FairBatcher<Item>(opts());
    b.enqueue(item('a', 0), 100);
    b.enqueue(item('b', 0), 130);
    assert.equal(b.nextDeadlineMs(), 150);
    assert.equal(b.nextBatch(149), null);
    assert.deepEqual(names(b.nextBatch(150)), ['a0', 'b0']);
    assert.equal(b.nextDeadlineMs(), null);
  });

  test('a full queue drops the oldest item of the fullest camera and counts it per camera', () => {
    const b = new FairBatcher<Item>(opts({ maxQueue: 5, maxInFlight: 1 }));
    b.enqueue(item('b', 0), 0);
    const dropped: Item[] = [];
    for (let n = 0; n < 6; n++) dropped.push(...b.enqueue(item('a', n), n + 1));
    assert.deepEqual(names(dropped), ['a0', 'a1']);
    assert.equal(b.depth, 5);
    assert.deepEqual([...b.dropsByCamera()], [['a', 2]]);
    // b's single, oldest item survived the flood.
    assert.deepEqual(names(b.nextBatch(1000)), ['b0', 'a2', 'a3', 'a4']);
  });

  test('round-robin: a camera flooding the queue does not starve another', () => {
    const b = new FairBatcher<Item>(opts({ maxQueue: 64 }));
    for (let n = 0; n < 40; n++) b.enqueue(item('flood', n), 0);
    b.enqueue(item('quiet', 0), 1);
    b.enqueue(item('quiet', 1), 2);
    const first = names(b.nextBatch(2));
    b.complete();
    const second = names(b.nextBatch(2));
    assert.deepEqual(first, ['flood0', 'quiet0', 'flood1', 'quiet1']);
    assert.deepEqual(second, ['flood2', 'flood3', 'flood4', 'flood5']);
  });

  test('the next batch starts with the camera after the one served last', () => {
    const b = new FairBatcher<Item>(opts({ maxBatch: 1 }));
    for (const c of ['a', 'b', 'c']) for (let n = 0; n < 2; n++) b.enqueue(item(c, n), 0);
    const order: string[] = [];
    for (let i = 0; i < 6; i++) {
      order.push(...names(b.nextBatch(0)));
      b.complete();
    }
    assert.deepEqual(order, ['a0', 'b0', 'c0', 'a1', 'b1', 'c1']);
  });

  test('maxInFlight batches at most; complete() frees a slot', () => {
    const b = new FairBatcher<Item>(opts({ maxBatch: 1, maxInFlight: 2 }));
    for (let n = 0; n < 4; n++) b.enqueue(item('a', n), 0);
    assert.ok(b.nextBatch(0));
    assert.ok(b.nextBatch(0));
    assert.equal(b.nextBatch(0), null);
    assert.equal(b.nextDeadlineMs(), null, 'no timer while saturated');
    b.complete();
    assert.deepEqual(names(b.nextBatch(0)), ['a2']);
  });

  test('items with different group keys never share a batch', () => {
    const b = new FairBatcher<Item>(opts(), (i) => (i.cameraId === 'ten' ? 10 : 1));
    b.enqueue(item('one', 0), 0);
    b.enqueue(item('ten', 0), 0);
    b.enqueue(item('one', 1), 0);
    b.enqueue(item('ten', 1), 0);
    assert.deepEqual(names(b.nextBatch(0)), ['one0', 'one1']);
    b.complete();
    assert.deepEqual(names(b.nextBatch(100)), ['ten0', 'ten1']);
  });

  test('purge forgets a camera without counting drops', () => {
    const b = new FairBatcher<Item>(opts());
    b.enqueue(item('a', 0), 0);
    b.enqueue(item('b', 0), 0);
    assert.deepEqual(names(b.purge('a')), ['a0']);
    assert.equal(b.depth, 1);
    assert.equal(b.dropsByCamera().size, 0);
    assert.deepEqual(names(b.nextBatch(50)), ['b0']);
  });
});

describe('BatchDriver (virtual time)', () => {
  /** Runs a driver whose inference call takes `inferenceMs` of virtual time; records calls. */
  function harness(options: BatchingOptions, inferenceMs: number) {
    const scheduler = testScheduler();
    const calls: { at: number; items: string[] }[] = [];
    const results: { at: number; items: string[] }[] = [];
    const drops: string[] = [];
    let running = 0;
    let maxRunning = 0;
    const driver = new BatchDriver<Item, string[]>(new FairBatcher<Item>(options), scheduler, {
      run: (batch) =>
        defer(() => {
          running++;
          maxRunning = Math.max(maxRunning, running);
          calls.push({ at: scheduler.now(), items: names(batch) });
          return timer(inferenceMs, scheduler).pipe(
            map(() => {
              running--;
              return names(batch);
            }),
          );
        }),
      onResult: (_batch, result) => results.push({ at: scheduler.now(), items: result }),
      onError: (_batch, error) => assert.fail(String(error)),
      onDrop: (items) => drops.push(...names(items)),
    });
    return { scheduler, driver, calls, results, drops, maxRunning: () => maxRunning };
  }

  test('idle.wait() resolves once nothing is queued or running (shutdown drains on it), at once when idle', async () => {
    const h = harness(opts({ maxWaitMs: 50 }), 10);
    await h.driver.idle.wait();
    const seen: string[] = [];
    h.scheduler.run(({ flush }) => {
      h.driver.enqueue(item('a', 0));
      void h.driver.idle.wait().then(() => seen.push(`idle after ${h.results.length} result(s)`));
      h.scheduler.schedule(() => seen.push(`busy at ${h.scheduler.now()}: ${h.driver.inFlight} running`), 55);
      flush();
    });
    await Promise.resolve();
    assert.deepEqual(seen, ['busy at 55: 1 running', 'idle after 1 result(s)']);
    const closing = harness(opts(), 10);
    closing.driver.enqueue(item('b', 0));
    const idle = closing.driver.idle.wait();
    closing.driver.close();
    await idle;
  });

  test('a lone item is sent maxWaitMs after it arrived', () => {
    const h = harness(opts({ maxWaitMs: 50 }), 10);
    h.scheduler.run(({ flush }) => {
      h.scheduler.schedule(() => h.driver.enqueue(item('a', 0)), 20);
      flush();
    });
    assert.deepEqual(h.calls, [{ at: 70, items: ['a0'] }]);
    assert.deepEqual(h.results, [{ at: 80, items: ['a0'] }]);
  });

  test('a full batch is sent at once, without waiting', () => {
    const h = harness(opts({ maxBatch: 2, maxWaitMs: 1000 }), 10);
    h.scheduler.run(({ flush }) => {
      h.scheduler.schedule(() => h.driver.enqueue(item('a', 0)), 5);
      h.scheduler.schedule(() => h.driver.enqueue(item('b', 0)), 7);
      flush();
    });
    assert.deepEqual(h.calls, [{ at: 7, items: ['a0', 'b0'] }]);
  });

  test('maxInFlight is respected while items keep arriving, and the queue stays bounded', () => {
    for (const maxInFlight of [1, 2]) {
      const h = harness(opts({ maxBatch: 2, maxWaitMs: 0, maxQueue: 6, maxInFlight }), 100);
      h.scheduler.run(({ flush }) => {
        for (let n = 0; n < 40; n++)
          h.scheduler.schedule(() => h.driver.enqueue(item(n % 2 ? 'a' : 'b', n)), n * 10);
        flush();
      });
      assert.equal(h.maxRunning(), maxInFlight);
      assert.ok(h.drops.length > 0, 'arrivals outpace inference: some items are dropped');
      const handled = h.results.flatMap((r) => r.items).length;
      assert.equal(handled + h.drops.length, 40, 'every item is either inferred or counted as dropped');
      assert.equal(h.driver.queueDepth, 0);
    }
  });

  test('close() cancels the pending timer and ignores running calls', () => {
    const h = harness(opts({ maxBatch: 1, maxWaitMs: 50 }), 100);
    h.scheduler.run(({ flush }) => {
      h.driver.enqueue(item('a', 0));
      h.driver.enqueue(item('a', 1));
      h.scheduler.schedule(() => h.driver.close(), 10);
      flush();
    });
    assert.equal(h.calls.length, 1);
    assert.equal(h.results.length, 0);
    assert.equal(h.scheduler.actions.length, 0, 'no timer left behind');
  });
});
