import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mapPaddleState } from '../../../src/model/paddle-state.js';
import { PyDict, PyList, PyTuple } from '../../../src/model/pickle/index.js';
import { assertCode } from './support/assert-code.js';
import { f32Bytes } from './support/pickle-writer.js';
import { paddleShapes, stateDictValue } from './support/synthetic.js';
import { isTsnError } from '../../../src/errors/index.js';

describe('mapping a paddle state dict', () => {
  test('depth and classes are inferred for every supported depth', () => {
    for (const depth of [18, 34, 50, 101] as const) {
      const mapped = mapPaddleState(stateDictValue(paddleShapes(depth, 3)));
      assert.equal(mapped.depth, depth);
      assert.equal(mapped.numClasses, 3);
      assert.deepEqual(mapped.weights.get('fc.weight')?.shape, [3, depth >= 50 ? 2048 : 512]);
    }
  });

  test('head.fc.weight [in, out] is transposed to fc.weight [out, in]', () => {
    const specs = paddleShapes(18, 2);
    // Paddle's [512, 2]: row i holds the weights of input i for both classes.
    const w = new Float32Array(1024).map((_, k) => k);
    specs.set('head.fc.weight', { shape: [512, 2], data: new Uint8Array(w.buffer) });
    specs.set('head.fc.bias', { shape: [2], data: f32Bytes([0.5, -0.5]) });
    const mapped = mapPaddleState(stateDictValue(specs));
    const fc = mapped.weights.get('fc.weight');
    assert.deepEqual(fc?.shape, [2, 512]);
    assert.equal(fc?.data[0], 0); // class 0, input 0 = paddle [0,0]
    assert.equal(fc?.data[1], 2); // class 0, input 1 = paddle [1,0]
    assert.equal(fc?.data[512], 1); // class 1, input 0 = paddle [0,1]
    assert.equal(fc?.data[512 + 511], 1023);
    assert.deepEqual([...(mapped.weights.get('fc.bias')?.data ?? [])], [0.5, -0.5]);
  });

  test('the name table is skipped', () => {
    const dict = stateDictValue(paddleShapes(18, 2));
    const table = new PyDict();
    table.entries.set('head.fc.bias', 'param_1');
    dict.entries.set('StructuredToParameterName@@', table);
    assert.equal(mapPaddleState(dict).weights.size, 102);
  });

  test('tensors pickled as (name, ndarray) tuples are unwrapped', () => {
    const dict = stateDictValue(paddleShapes(18, 2));
    for (const [k, v] of dict.entries) dict.entries.set(k, new PyTuple([`param_${k}`, v]));
    assert.equal(mapPaddleState(dict).weights.size, 102);
  });

  test('a missing tensor is named', () => {
    const specs = paddleShapes(50, 4);
    specs.delete('backbone.res4c.conv1._batch_norm._mean');
    assert.throws(
      () => mapPaddleState(stateDictValue(specs)),
      (e: unknown) =>
        isTsnError(e, 'E_CKPT_MISSING_TENSOR') &&
        e.context.tensor === 'backbone.res4c.conv1._batch_norm._mean',
    );
  });

  test('no classifier head is a missing tensor', () => {
    const specs = paddleShapes(50, 4);
    specs.delete('head.fc.bias');
    specs.delete('head.fc.weight');
    assertCode(() => mapPaddleState(stateDictValue(specs)), 'E_CKPT_MISSING_TENSOR');
  });

  test('an extra tensor is named', () => {
    const specs = paddleShapes(18, 4);
    specs.set('backbone.conv._batch_norm.num_batches_tracked', { shape: [1] });
    assert.throws(
      () => mapPaddleState(stateDictValue(specs)),
      (e: unknown) =>
        isTsnError(e, 'E_CKPT_EXTRA_TENSOR') &&
        e.context.tensor === 'backbone.conv._batch_norm.num_batches_tracked',
    );
  });

  test('a wrong shape names the tensor, the expected and the actual shape', () => {
    const specs = paddleShapes(18, 4);
    specs.set('backbone.res3a.short._conv.weight', { shape: [128, 64, 3, 3] });
    assert.throws(
      () => mapPaddleState(stateDictValue(specs)),
      (e: unknown) => {
        assert.ok(isTsnError(e, 'E_CKPT_SHAPE'));
        assert.equal(e.context.tensor, 'backbone.res3a.short._conv.weight');
        assert.deepEqual(e.context.expected, [128, 64, 1, 1]);
        assert.deepEqual(e.context.actual, [128, 64, 3, 3]);
        return true;
      },
    );
  });

  test('fc weight and bias disagreeing on the class count is a shape error', () => {
    const specs = paddleShapes(18, 4);
    specs.set('head.fc.weight', { shape: [512, 5] });
    assertCode(() => mapPaddleState(stateDictValue(specs)), 'E_CKPT_SHAPE');
  });

  test('float64 or big-endian weights are refused, naming the tensor', () => {
    for (const dtype of ['<f8', '>f4', '<f2']) {
      const specs = paddleShapes(18, 4);
      specs.set('backbone.res2b.conv0._batch_norm.weight', { shape: [64], dtype });
      assert.throws(
        () => mapPaddleState(stateDictValue(specs)),
        (e: unknown) =>
          isTsnError(e, 'E_CKPT_DTYPE') &&
          e.context.tensor === 'backbone.res2b.conv0._batch_norm.weight' &&
          e.context.dtype === dtype,
      );
    }
  });

  test('unsupported depths', () => {
    const three = new Map([...paddleShapes(18, 4)].filter(([n]) => !n.startsWith('backbone.res5')));
    assertCode(() => mapPaddleState(stateDictValue(three)), 'E_CKPT_DEPTH');
  });

  test('a top level that is not a dict, or a non-array entry', () => {
    assertCode(() => mapPaddleState(new PyList()), 'E_CKPT_UNSUPPORTED');
    const dict = stateDictValue(paddleShapes(18, 4));
    dict.entries.set('backbone.conv._conv.weight', 'not an array');
    assertCode(() => mapPaddleState(dict), 'E_CKPT_UNSUPPORTED');
  });
});
