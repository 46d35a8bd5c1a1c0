import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { map, throwError, timer } from 'rxjs';
import { HeadQueue } from '../../../src/pipeline/head-queue.js';
import type { HeadCall } from '../../../src/pipeline/window-head.js';
import { testScheduler } from './fakes.js';

const call = (n: number): HeadCall => ({ windows: [], features: Float32Array.of(n), perWindow: 1 });
const id = (c: HeadCall): number => c.features[0] ?? -1;

describe('HeadQueue (virtual time)', () => {
  test('runs one call at a time, in order; drops the oldest waiting call beyond maxQueued', () => {
    const scheduler = testScheduler();
    const log: string[] = [];
    scheduler.run(({ flush }) => {
      const q = new HeadQueue(2, scheduler, {
        run: (c) => {
          log.push(`start ${id(c)}@${scheduler.now()}`);
          return id(c) === 3 ? throwError(() => new Error('x')) : timer(10).pipe(map(() => c.features));
        },
        onResult: (c) => log.push(`done ${id(c)}@${scheduler.now()}`),
        onError: (c) => log.push(`error ${id(c)}`),
        onDrop: (c) => log.push(`drop ${id(c)}`),
      });
      for (const n of [0, 1, 2, 3, 4]) q.push(call(n));
      flush();
    });
    assert.deepEqual(log, [
      'start 0@0',
      'drop 1',
      'drop 2',
      'done 0@10',
      'start 3@10',
      'error 3',
      'start 4@10',
      'done 4@20',
    ]);
  });

  test('close() cancels the running call and forgets the waiting ones', () => {
    const scheduler = testScheduler();
    const done: number[] = [];
    scheduler.run(({ flush }) => {
      const q = new HeadQueue(8, scheduler, {
        run: (c) => timer(10).pipe(map(() => c.features)),
        onResult: (c) => done.push(id(c)),
        onError: () => assert.fail('no error expected'),
        onDrop: () => assert.fail('no drop expected'),
      });
      q.push(call(0));
      q.push(call(1));
      scheduler.schedule(() => q.close(), 5);
      flush();
    });
    assert.deepEqual(done, []);
    assert.equal(scheduler.actions.length, 0);
  });
});
