import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCheckpoint, readFileHashed } from '../../../src/model/checkpoint.js';
import { fixturesDir } from '../../helpers/paths.js';
import { assertCode } from './support/assert-code.js';

const reference = join(fixturesDir, 'reference', 'tsn_r18_c10_p4.pdparams');

test('reading reports monotonic progress and the file sha256', async () => {
  const seen: number[] = [];
  const { bytes, sha256 } = await readFileHashed(reference, (read, total) => {
    assert.equal(total, 44_774_445);
    seen.push(read);
  });
  assert.equal(sha256, createHash('sha256').update(readFileSync(reference)).digest('hex'));
  assert.equal(bytes.length, 44_774_445);
  assert.ok(seen.length > 1);
  assert.deepEqual(
    seen,
    [...seen].sort((a, b) => a - b),
  );
  assert.equal(seen.at(-1), bytes.length);
});

test('the reference checkpoint truncated anywhere is E_CKPT_TRUNCATED', () => {
  const bytes = readFileSync(reference);
  const ends = new Set<number>([
    1,
    2,
    11,
    12,
    100,
    4096,
    bytes.length - 1,
    bytes.length - 2,
    bytes.length - 100,
  ]);
  for (let k = 1; k < 40; k++) ends.add(Math.floor((bytes.length * k) / 40) + (k % 7));
  for (const end of ends) assertCode(() => parseCheckpoint(bytes.subarray(0, end)), 'E_CKPT_TRUNCATED');
  assert.equal(parseCheckpoint(bytes).tensorCount, 102);
});
