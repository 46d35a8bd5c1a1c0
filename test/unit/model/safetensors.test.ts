import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSafetensors, writeSafetensors } from '../../../src/model/safetensors.js';
import type { Tensor } from '../../../src/model/types.js';
import { assertCode } from './support/assert-code.js';

let tmp = '';
before(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'tsn-st-'));
});
after(async () => {
  await rm(tmp, { recursive: true, force: true });
});

const tensors = new Map<string, Tensor>([
  ['a.weight', { shape: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, -0]) }],
  ['b', { shape: [], data: Float32Array.from([Math.PI]) }],
  ['empty', { shape: [0, 4], data: new Float32Array(0) }],
  ['c.bias', { shape: [3], data: Float32Array.from([NaN, Infinity, 1e-40]) }],
]);

function craft(header: unknown, dataBytes: number): Buffer {
  const json = Buffer.from(JSON.stringify(header));
  const size = Buffer.alloc(8);
  size.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([size, json, Buffer.alloc(dataBytes)]);
}

describe('safetensors', () => {
  test('round trip keeps names, order, shapes and exact bits', async () => {
    const path = join(tmp, 'w.safetensors');
    await writeSafetensors(path, tensors, { format: 'pt' });
    const file = await readFile(path);
    const headerSize = Number(file.readBigUInt64LE(0));
    assert.equal((8 + headerSize) % 8, 0, 'data section starts 8-byte aligned');
    const back = parseSafetensors(file, path);
    assert.deepEqual([...back.tensors.keys()], [...tensors.keys()]);
    for (const [name, t] of tensors) {
      const b = back.tensors.get(name);
      assert.deepEqual(b?.shape, t.shape);
      assert.ok(Buffer.from(b?.data.buffer ?? []).equals(Buffer.from(t.data.buffer)), name);
    }
    assert.deepEqual(back.metadata, { format: 'pt' });
  });

  test('the header follows the published format', async () => {
    const path = join(tmp, 'h.safetensors');
    await writeSafetensors(path, tensors);
    const file = await readFile(path);
    const header = JSON.parse(
      file.subarray(8, 8 + Number(file.readBigUInt64LE(0))).toString('utf8'),
    ) as Record<string, { dtype: string; shape: number[]; data_offsets: number[] }>;
    assert.deepEqual(header['a.weight'], { dtype: 'F32', shape: [2, 3], data_offsets: [0, 24] });
    assert.deepEqual(header.b, { dtype: 'F32', shape: [], data_offsets: [24, 28] });
    assert.deepEqual(header['c.bias'], { dtype: 'F32', shape: [3], data_offsets: [28, 40] });
  });

  test('invalid files are E_MODEL_WEIGHTS', async () => {
    const good = await readFile(join(tmp, 'w.safetensors'));
    const bad: [string, Buffer][] = [
      ['too short', Buffer.alloc(4)],
      ['huge header size', Buffer.concat([Buffer.from([0, 0, 0, 0, 0, 0, 1, 0]), Buffer.alloc(16)])],
      ['not json', Buffer.concat([Buffer.from([3, 0, 0, 0, 0, 0, 0, 0]), Buffer.from('{{{')])],
      ['truncated data', good.subarray(0, good.length - 4)],
      ['extra data', Buffer.concat([good, Buffer.alloc(4)])],
      ['F16', craft({ x: { dtype: 'F16', shape: [2], data_offsets: [0, 4] } }, 4)],
      ['offsets vs shape', craft({ x: { dtype: 'F32', shape: [2], data_offsets: [0, 4] } }, 4)],
      [
        'overlap',
        craft(
          {
            x: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
            y: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
          },
          8,
        ),
      ],
      ['gap', craft({ x: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, 8)],
      ['negative dim', craft({ x: { dtype: 'F32', shape: [-1], data_offsets: [0, 0] } }, 0)],
      ['metadata not strings', craft({ __metadata__: { a: 1 } }, 0)],
      ['array header', craft([], 0)],
    ];
    for (const [name, bytes] of bad) {
      assertCode(() => parseSafetensors(bytes, name), 'E_MODEL_WEIGHTS');
    }
  });
});
