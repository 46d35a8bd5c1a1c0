import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CommandBudget } from '../../../src/publish/websocket/command-budget.js';

test('a burst is allowed at once, then the rate; time refills up to the burst only', () => {
  const budget = new CommandBudget(10, 3);
  const takes = (nowMs: number, n: number) => Array.from({ length: n }, () => budget.take(nowMs));
  assert.deepEqual(takes(0, 4), [true, true, true, false]);
  assert.deepEqual(takes(100, 2), [true, false]); // 100 ms at 10/s = one command
  assert.deepEqual(takes(10_000, 4), [true, true, true, false]); // a long pause refills the burst, no more
  assert.equal(budget.take(5_000), false, 'a clock going backwards refills nothing');
});
