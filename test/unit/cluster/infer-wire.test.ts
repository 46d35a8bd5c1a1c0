import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  decodeInferReply,
  decodeInferRequest,
  encodeInferReply,
  encodeInferRequest,
} from '../../../src/cluster/infer-wire.js';
import { isTsnError } from '../../../src/errors/index.js';
import { inferSubject } from '../../../src/cluster/remote-embed.js';

const frame = (w: number, h: number, fill: number) => ({
  width: w,
  height: h,
  rgb: new Uint8Array(w * h * 3).fill(fill),
});

describe('remote inference wire format', () => {
  it('round-trips a request byte for byte', () => {
    const request = { modelId: 'r50-c400', views: 1, frames: [frame(4, 2, 7), frame(3, 3, 9)] };
    const decoded = decodeInferRequest(encodeInferRequest(request));
    assert.equal(decoded.modelId, 'r50-c400');
    assert.equal(decoded.views, 1);
    assert.equal(decoded.waitMs, undefined);
    const waiting = decodeInferRequest(encodeInferRequest({ ...request, waitMs: 5000 }));
    assert.equal(waiting.waitMs, 5000, 'the edge tells the worker how long it waits');
    assert.deepEqual(
      decoded.frames.map((f) => [f.width, f.height, [...f.rgb]]),
      request.frames.map((f) => [f.width, f.height, [...f.rgb]]),
    );
  });

  it('round-trips features exactly and errors with their code', () => {
    const features = Float32Array.from([0.1, -2.5, 3e-7, 1e9]);
    const ok = decodeInferReply(encodeInferReply({ ok: true, worker: 'w1', featureDim: 2, features }));
    assert.ok(ok.ok);
    assert.deepEqual([...ok.features], [...features]);
    const refused = decodeInferReply(
      encodeInferReply({ ok: false, worker: 'w1', code: 'E_CLUSTER_INFER_OVERLOAD', message: 'full' }),
    );
    assert.deepEqual(refused, { ok: false, worker: 'w1', code: 'E_CLUSTER_INFER_OVERLOAD', message: 'full' });
  });

  it('refuses truncated, padded, foreign-version and non-JSON messages with E_CLUSTER_WIRE', () => {
    const good = encodeInferRequest({ modelId: 'm', views: 1, frames: [frame(2, 2, 1)] });
    const bad = [
      good.subarray(0, good.length - 1),
      new Uint8Array([...good, 0]),
      new Uint8Array([1, 0, 0]),
      new Uint8Array([2, 0, 0, 0, 0x7b, 0x7d]),
      new Uint8Array([3, 0, 0, 0, 0x6e, 0x6f, 0x21]),
    ];
    for (const bytes of bad)
      assert.throws(
        () => decodeInferRequest(bytes),
        (e) => isTsnError(e, 'E_CLUSTER_WIRE'),
      );
  });

  it('names one subject per model with NATS-safe tokens', () => {
    assert.equal(inferSubject('tsn', 'r50-c400-TSN_k400_8'), 'tsn.infer.r50-c400-TSN_k400_8');
    assert.equal(inferSubject('tsn', 'a.b c*>'), 'tsn.infer.a_b_c__');
  });
});
