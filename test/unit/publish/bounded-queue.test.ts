import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BoundedQueue } from '../../../src/publish/bounded-queue.js';

test('BoundedQueue drops the oldest when full and counts it', () => {
  const q = new BoundedQueue<number>(3);
  for (const n of [1, 2, 3]) assert.equal(q.push(n), undefined);
  assert.equal(q.push(4), 1);
  assert.equal(q.push(5), 2);
  assert.equal(q.dropped, 2);
  assert.equal(q.length, 3);
  assert.deepEqual([q.shift(), q.shift(), q.shift(), q.shift()], [3, 4, 5, undefined]);
});

test('removeHead removes only the item still at the head', () => {
  const q = new BoundedQueue<{ n: number }>(2);
  const a = { n: 1 };
  q.push(a);
  q.push({ n: 2 });
  q.push({ n: 3 }); // a dropped while "in flight"
  assert.equal(q.removeHead(a), false);
  assert.equal(q.length, 2);
  assert.equal(q.removeHead(q.peek() as { n: number }), true);
  assert.equal(q.peek()?.n, 3);
});

test('capacity must be a positive integer', () => {
  assert.throws(() => new BoundedQueue(0), RangeError);
});
