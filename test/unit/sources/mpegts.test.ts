import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  readTsPacket,
  samePacketButContinuity,
  setContinuityCounter,
  TS_PACKET_BYTES,
  unwrapPts,
} from '../../../src/sources/mpegts.js';

/** A PAT-like packet: sync byte, PID, payload only, the given continuity counter. */
function packet(pid: number, counter: number, fill = 0xff): Buffer {
  const p = Buffer.alloc(TS_PACKET_BYTES, fill);
  p[0] = 0x47;
  p[1] = 0x40 | ((pid >> 8) & 0x1f);
  p[2] = pid & 0xff;
  p[3] = 0x10 | (counter & 0x0f);
  return p;
}

test('a packet header: PID, unit start, payload; a lost sync byte is undefined', () => {
  assert.deepEqual(readTsPacket(packet(4096, 3)), {
    pid: 4096,
    unitStart: true,
    randomAccess: false,
    hasPayload: true,
    pts90k: undefined,
  });
  const broken = packet(0, 0);
  broken[0] = 0x46;
  assert.equal(readTsPacket(broken), undefined);
  assert.equal(readTsPacket(packet(0, 0).subarray(0, 100)), undefined);
});

test("a muxer's repeated table differs from the last only in its continuity counter", () => {
  const a = packet(0, 1);
  assert.ok(samePacketButContinuity(a, packet(0, 9)));
  assert.ok(!samePacketButContinuity(a, packet(0, 1, 0xfe)), 'other content');
  assert.ok(!samePacketButContinuity(a, packet(4096, 1)), 'other PID');
  const noPayload = packet(0, 1);
  noPayload[3] = 0x20 | 1;
  assert.ok(!samePacketButContinuity(a, noPayload), 'other adaptation/payload flags');
  setContinuityCounter(a, 0x1e);
  assert.equal(a[3], 0x1e, 'the counter is the low 4 bits; the flags stay');
});

test('PTS keeps increasing across the 33-bit wrap', () => {
  const wrap = 2 ** 33;
  assert.equal(unwrapPts(100, undefined), 100);
  assert.equal(unwrapPts(10, wrap - 50), wrap + 10);
  assert.equal(unwrapPts(wrap - 50, wrap + 10), wrap - 50);
});
