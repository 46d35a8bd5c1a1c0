import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  NdArray,
  PyDict,
  PyList,
  PyTuple,
  readPickle,
  type PickleValue,
} from '../../../src/model/pickle/index.js';
import { fixturesDir } from '../../helpers/paths.js';
import { opcodes } from './support/pickle-writer.js';
import { assertCode } from './support/assert-code.js';

const dir = join(fixturesDir, 'model');
const load = (name: string): Buffer => readFileSync(join(dir, name));

type Expected = Record<string, { shape: number[]; values: (number | string)[] }>;
const expected = JSON.parse(readFileSync(join(dir, 'small_expected.json'), 'utf8')) as Expected;

function decodeExpected(v: number | string): number {
  if (v === 'nan') return NaN;
  if (v === 'inf') return Infinity;
  if (v === '-inf') return -Infinity;
  return Math.fround(v as number);
}

function floats(a: NdArray): number[] {
  assert.ok(a.data !== null);
  const view = new DataView(a.data.buffer, a.data.byteOffset, a.data.byteLength);
  return Array.from({ length: a.data.length / 4 }, (_, i) => view.getFloat32(i * 4, true));
}

function dictOf(value: PickleValue): Map<unknown, PickleValue> {
  assert.ok(value instanceof PyDict, 'top level is a dict');
  return value.entries;
}

describe('pickle reader on real Python pickles', () => {
  for (const file of [
    'small_p2.pkl',
    'small_p4.pkl',
    'small_p2_np2.pkl',
    'small_p4_np2.pkl',
    'ordered_p2.pkl',
  ]) {
    test(`${file}: every array equals what Python pickled`, () => {
      const entries = dictOf(readPickle(load(file)));
      for (const [name, want] of Object.entries(expected)) {
        const a = entries.get(name);
        assert.ok(a instanceof NdArray, name);
        assert.deepEqual(a.shape, want.shape, name);
        assert.equal(a.dtype?.str, '<f4', name);
        assert.deepEqual(floats(a), want.values.map(decodeExpected), name);
      }
      const table = entries.get('StructuredToParameterName@@');
      if (!file.startsWith('ordered')) {
        assert.ok(table instanceof PyDict);
        assert.equal(table.entries.get('conv.weight'), 'param_0');
      }
    });
  }

  test('protocol 2 and protocol 4 give byte-identical arrays', () => {
    const p2 = dictOf(readPickle(load('small_p2.pkl')));
    const p4 = dictOf(readPickle(load('small_p4.pkl')));
    assert.deepEqual([...p2.keys()], [...p4.keys()]);
    for (const [name, a] of p4) {
      const b = p2.get(name);
      if (!(a instanceof NdArray)) continue;
      assert.ok(b instanceof NdArray);
      assert.deepEqual(b.shape, a.shape);
      assert.ok(a.data !== null && b.data !== null);
      assert.deepEqual(Buffer.from(b.data), Buffer.from(a.data), String(name));
    }
  });

  for (const file of ['named_p2.pkl', 'named_p4.pkl']) {
    test(`${file}: tensors pickled as tuple((name, ndarray)) come back as (name, array)`, () => {
      const entries = dictOf(readPickle(load(file)));
      const named = entries.get('bn.bias');
      assert.ok(named instanceof PyTuple);
      assert.equal(named.items[0], 'param_3');
      const a = named.items[1];
      assert.ok(a instanceof NdArray);
      assert.deepEqual(floats(a), (expected['bn.bias']?.values ?? []).map(decodeExpected));
    });
  }

  test('other dtypes are read with their dtype string', () => {
    const entries = dictOf(readPickle(load('dtypes_p4.pkl')));
    const f8 = entries.get('f8');
    assert.ok(f8 instanceof NdArray);
    assert.equal(f8.dtype?.str, '<f8');
    assert.equal(f8.data?.length, 32);
    const be = entries.get('f4be');
    assert.ok(be instanceof NdArray);
    assert.equal(be.dtype?.str, '>f4');
    const i8 = entries.get('i8');
    assert.ok(i8 instanceof NdArray);
    assert.equal(i8.dtype?.str, '<i8');
  });

  test('a list at the top level is returned as a list', () => {
    const v = readPickle(load('list_p4.pkl'));
    assert.ok(v instanceof PyList);
    assert.equal(v.items.length, 1);
  });

  test('a pickle naming os.system is refused, not executed', () => {
    assertCode(() => readPickle(load('evil_p2.pkl')), 'E_CKPT_UNSUPPORTED');
    assertCode(() => readPickle(load('evil_p4.pkl')), 'E_CKPT_UNSUPPORTED');
  });
});

describe('pickle reader on bad input', () => {
  test('not a pickle', () => {
    assertCode(() => readPickle(new Uint8Array(0)), 'E_CKPT_NOT_PICKLE');
    assertCode(() => readPickle(Buffer.from('{"weights": []}')), 'E_CKPT_NOT_PICKLE');
    assertCode(() => readPickle(Buffer.from('PK\x03\x04 zip archive')), 'E_CKPT_NOT_PICKLE');
    // A protocol-0 pickle (text opcodes) is not what paddle.save writes.
    assertCode(() => readPickle(Buffer.from("(dp0\nS'a'\np1\nI1\ns.")), 'E_CKPT_NOT_PICKLE');
  });

  test('unknown protocol versions are refused', () => {
    assertCode(() => readPickle(Uint8Array.from([0x80, 9, 0x4e, 0x2e])), 'E_CKPT_UNSUPPORTED');
  });

  for (const file of ['small_p2.pkl', 'small_p4.pkl']) {
    test(`${file} truncated at every offset fails with E_CKPT_TRUNCATED`, () => {
      const bytes = load(file);
      for (let end = 1; end < bytes.length; end++) {
        assertCode(() => readPickle(bytes.subarray(0, end)), 'E_CKPT_TRUNCATED');
      }
    });
  }

  test('a bytes object declaring 2^40 bytes fails fast without allocating', () => {
    const crafted = opcodes()
      .byte(0x80, 4)
      .byte(0x8e)
      .u64(2 ** 40)
      .byte(0, 0, 0)
      .build();
    const before = process.memoryUsage().arrayBuffers;
    assertCode(() => readPickle(crafted), 'E_CKPT_TOO_LARGE');
    assert.ok(process.memoryUsage().arrayBuffers - before < 64 << 20);
  });

  test('a FRAME or str declaring more than the file holds is truncated, not allocated', () => {
    assertCode(
      () =>
        readPickle(
          opcodes()
            .byte(0x80, 4, 0x95)
            .u64(1 << 29)
            .byte(0x4e, 0x2e)
            .build(),
        ),
      'E_CKPT_TRUNCATED',
    );
    assertCode(
      () => readPickle(opcodes().byte(0x80, 2, 0x58).u32(0x10000000).byte(0x61).build()),
      'E_CKPT_TRUNCATED',
    );
    assertCode(
      () =>
        readPickle(
          opcodes()
            .byte(0x80, 4, 0x8d)
            .u64(2 ** 60)
            .build(),
        ),
      'E_CKPT_TOO_LARGE',
    );
  });

  test('array data whose length disagrees with the shape is corrupt', () => {
    const bytes = opcodes()
      .byte(0x80, 4)
      .global('numpy.core.multiarray', '_reconstruct')
      .global('numpy', 'ndarray')
      .int(0)
      .byte(0x85, 0x43, 1, 0x62, 0x87, 0x52)
      .byte(0x28)
      .int(1)
      .int(1000)
      .int(1000)
      .byte(0x86)
      .global('numpy', 'dtype')
      .str('f4')
      .byte(0x89, 0x88, 0x87, 0x52, 0x28)
      .int(3)
      .str('<')
      .byte(0x4e, 0x4e, 0x4e)
      .int(-1)
      .int(-1)
      .int(0)
      .byte(0x74, 0x62, 0x89)
      .bytes(new Uint8Array(16))
      .byte(0x74, 0x62, 0x2e)
      .build();
    assertCode(() => readPickle(bytes), 'E_CKPT_CORRUPT');
  });

  test('structural errors are E_CKPT_CORRUPT', () => {
    assertCode(() => readPickle(Uint8Array.from([0x80, 4, 0x2e])), 'E_CKPT_CORRUPT'); // STOP on empty stack
    assertCode(() => readPickle(Uint8Array.from([0x80, 4, 0x68, 5, 0x2e])), 'E_CKPT_CORRUPT'); // BINGET unknown
    assertCode(() => readPickle(Uint8Array.from([0x80, 4, 0x4e, 0x74, 0x2e])), 'E_CKPT_CORRUPT'); // TUPLE w/o MARK
    assertCode(() => readPickle(Uint8Array.from([0x80, 4, 0x4e, 0x4e, 0x73, 0x2e])), 'E_CKPT_CORRUPT'); // SETITEM on None
    assertCode(() => readPickle(Uint8Array.from([0x80, 4, 0x4e, 0x29, 0x52, 0x2e])), 'E_CKPT_CORRUPT'); // call None
  });

  test('a latin-1 "bytes" string with a character above U+00FF is corrupt', () => {
    const bytes = opcodes()
      .byte(0x80, 2)
      .global('_codecs', 'encode')
      .str('ok\u0100')
      .str('latin1')
      .byte(0x86, 0x52, 0x2e);
    assertCode(() => readPickle(bytes.build()), 'E_CKPT_CORRUPT');
    const fine = opcodes()
      .byte(0x80, 2)
      .global('_codecs', 'encode')
      .str('\u00ff\u0000')
      .str('latin1')
      .byte(0x86, 0x52, 0x2e);
    assert.deepEqual([...(readPickle(fine.build()) as Uint8Array)], [0xff, 0]);
  });

  test('unknown opcodes are E_CKPT_UNSUPPORTED', () => {
    assertCode(() => readPickle(Uint8Array.from([0x80, 4, 0x8f, 0x2e])), 'E_CKPT_UNSUPPORTED'); // EMPTY_SET
    assertCode(() => readPickle(Buffer.from('\x80\x04I1\n.', 'latin1')), 'E_CKPT_UNSUPPORTED'); // text INT
  });

  test('stack, memo and nesting limits hold', () => {
    const limits = { maxObjectBytes: 1 << 20, maxStackItems: 100, maxMemoEntries: 50, maxMarkDepth: 10 };
    const many = (op: number[], n: number): Uint8Array =>
      Uint8Array.from([0x80, 4, ...Array.from({ length: n }, () => op).flat(), 0x2e]);
    assertCode(() => readPickle(many([0x4e], 101), limits), 'E_CKPT_TOO_LARGE');
    assertCode(
      () => readPickle(Uint8Array.from([0x80, 4, 0x4e, ...new Array<number>(51).fill(0x94), 0x2e]), limits),
      'E_CKPT_TOO_LARGE',
    );
    assertCode(() => readPickle(many([0x28], 11), limits), 'E_CKPT_TOO_LARGE');
    // Within limits the same shapes of input parse.
    assert.equal(readPickle(many([0x4e], 100), limits), null);
  });

  test('re-encoding one latin-1 string many times through the memo is capped', () => {
    const text = 'x'.repeat(4096);
    const out = opcodes()
      .byte(0x80, 2, 0x5d)
      .global('_codecs', 'encode')
      .byte(0x71, 0)
      .str(text)
      .str('latin1');
    out.byte(0x86, 0x71, 1, 0x30, 0x30); // memo[1] = (text, 'latin1'); stack: [list]
    for (let i = 0; i < 200; i++) out.byte(0x68, 0, 0x68, 1, 0x52, 0x61); // list.append(encode(*memo[1]))
    assertCode(() => readPickle(out.byte(0x2e).build()), 'E_CKPT_TOO_LARGE');
  });
});
