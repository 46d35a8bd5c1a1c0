import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AnnexBSplitter } from '../../../simulators/rtsp-camera/h264/annexb.js';
import { AccessUnitGrouper } from '../../../simulators/rtsp-camera/h264/access-units.js';
import { AccessUnitTimer } from '../../../simulators/rtsp-camera/media/timed-units.js';

const sps = Buffer.from([0x67, 0x42, 0xc0, 0x1e, 0x8c]);
const pps = Buffer.from([0x68, 0xce, 0x3c, 0x80]);
const idrFirst = Buffer.from([0x65, 0x88, 0x84, 0x21]); // first_mb_in_slice = 0 (leading 1 bit)
const idrSecond = Buffer.from([0x65, 0x40, 0x11, 0x22]); // first_mb_in_slice > 0: same picture
const pFirst = Buffer.from([0x41, 0x9a, 0x02, 0x03]);
const pSecond = Buffer.from([0x41, 0x20, 0x02, 0x03]);

function annexB(nals: Buffer[], fourByte = true): Buffer {
  return Buffer.concat(nals.flatMap((n) => [Buffer.from(fourByte ? [0, 0, 0, 1] : [0, 0, 1]), n]));
}

test('the splitter finds NAL units across arbitrary chunk boundaries, with 3- and 4-byte start codes', () => {
  const stream = Buffer.concat([annexB([sps, pps]), annexB([idrFirst], false), annexB([pFirst, pSecond])]);
  for (const chunkBytes of [1, 2, 3, 5, 7, stream.length]) {
    const splitter = new AnnexBSplitter();
    const nals: Buffer[] = [];
    for (let i = 0; i < stream.length; i += chunkBytes)
      nals.push(...splitter.push(stream.subarray(i, i + chunkBytes)));
    nals.push(...splitter.flush());
    assert.deepEqual(nals, [sps, pps, idrFirst, pFirst, pSecond], `chunks of ${chunkBytes}`);
  }
});

test('the grouper cuts pictures at first slices and parameter sets, keeping multi-slice pictures whole', () => {
  const grouper = new AccessUnitGrouper();
  const units = [sps, pps, idrFirst, idrSecond, pFirst, pSecond, pFirst, sps, pps, idrFirst]
    .map((n) => grouper.push(n))
    .filter((u) => u !== undefined);
  const last = grouper.flush();
  assert.deepEqual(
    [...units, last].map((u) => ({ nals: u!.nals.length, key: u!.isKeyframe })),
    [
      { nals: 4, key: true },
      { nals: 2, key: false },
      { nals: 1, key: false },
      { nals: 3, key: true },
    ],
  );
});

test('the timer stamps frames on the 90 kHz clock and puts SPS/PPS before IDRs that lack them', () => {
  const timer = new AccessUnitTimer({ num: 25, den: 1 }, 1000, 1400);
  const first = timer.push({ nals: [sps, pps, idrFirst], isKeyframe: true });
  const second = timer.push({ nals: [pFirst], isKeyframe: false });
  const third = timer.push({ nals: [idrFirst], isKeyframe: true });
  assert.deepEqual(
    [first, second, third].map((u) => u.rtpTimestamp),
    [1000, 4600, 8200],
  );
  assert.deepEqual(
    third.payloads.map((p) => p.payload),
    [sps, pps, idrFirst],
  );
  assert.deepEqual(timer.latestParameterSets, { sps, pps });
  const ntsc = new AccessUnitTimer({ num: 30000, den: 1001 }, 2 ** 32 - 3003, 1400);
  assert.equal(ntsc.timestampAt(1), 0, 'wraps at 2^32');
});
