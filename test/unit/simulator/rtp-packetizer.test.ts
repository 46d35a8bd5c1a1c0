import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  fragmentNal,
  packetizeAccessUnit,
  rtpPacket,
} from '../../../simulators/rtsp-camera/rtp/h264-packetizer.js';
import { H264Depacketizer } from '../../../simulators/rtsp-camera/rtp/h264-depacketizer.js';
import { parseRtpHeader, rtpHeaderBytes } from '../../../simulators/rtsp-camera/rtp/rtp-header.js';
import { senderReport } from '../../../simulators/rtsp-camera/rtp/rtcp.js';

function nal(header: number, bytes: number): Buffer {
  const buf = Buffer.alloc(bytes);
  buf[0] = header;
  for (let i = 1; i < bytes; i++) buf[i] = (i * 31 + 7) & 0xff;
  return buf;
}

test('small NAL units go as single NAL unit packets; marker only on the last of the access unit', () => {
  const sps = nal(0x67, 12);
  const pps = nal(0x68, 4);
  const slice = nal(0x65, 900);
  const payloads = packetizeAccessUnit([sps, pps, slice], 1400);
  assert.deepEqual(
    payloads.map((p) => p.payload),
    [sps, pps, slice],
  );
  assert.deepEqual(
    payloads.map((p) => p.marker),
    [false, false, true],
  );
});

test('a NAL unit bigger than the MTU is cut into FU-A fragments with S/E bits and the right type', () => {
  const big = nal(0x65, 3000);
  const fragments = fragmentNal(big, 1400);
  assert.equal(fragments.length, 3);
  for (const f of fragments) {
    assert.ok(f.length <= 1400);
    assert.equal(f[0], (0x65 & 0xe0) | 28, 'FU indicator keeps F and NRI, type 28');
    assert.equal(f[1]! & 0x1f, 5, 'FU header carries the original type');
  }
  assert.deepEqual(
    fragments.map((f) => f[1]! & 0xc0),
    [0x80, 0x00, 0x40],
  );
});

test('FU-A fragments reassemble into the original NAL unit, across access units', () => {
  const nals = [nal(0x67, 10), nal(0x68, 4), nal(0x65, 5000), nal(0x41, 1401), nal(0x41, 1399)];
  const packets = [
    ...packetizeAccessUnit(nals.slice(0, 3), 1400),
    ...packetizeAccessUnit([nals[3]!], 1400),
    ...packetizeAccessUnit([nals[4]!], 1400),
  ].map((p, i) =>
    rtpPacket({ payloadType: 96, marker: p.marker, sequence: i, timestamp: 0, ssrc: 1 }, p.payload),
  );
  const depacketizer = new H264Depacketizer();
  const rebuilt = packets.flatMap((p) => depacketizer.pushPacket(p));
  assert.deepEqual(rebuilt, nals);
});

test('RTP header fields round-trip', () => {
  const packet = rtpPacket(
    { payloadType: 96, marker: true, sequence: 0x1_0005, timestamp: 2 ** 32 + 9, ssrc: 0xdeadbeef },
    Buffer.from([1, 2, 3]),
  );
  assert.equal(rtpHeaderBytes(packet), 12);
  assert.deepEqual(parseRtpHeader(packet), {
    marker: true,
    payloadType: 96,
    sequence: 5,
    timestamp: 9,
    ssrc: 0xdeadbeef,
  });
});

test('a sender report is SR + SDES CNAME, 32-bit aligned, with NTP time', () => {
  const report = senderReport({
    ssrc: 0x01020304,
    wallClockMs: 1_700_000_000_500,
    rtpTimestamp: 12345,
    packetCount: 10,
    octetCount: 1000,
    cname: 'cam',
  });
  assert.equal(report[1], 200);
  assert.equal(report.readUInt16BE(2), 6);
  assert.equal(report.readUInt32BE(8), 1_700_000_000 + 2_208_988_800);
  assert.equal(report.readUInt32BE(12), 2 ** 31);
  assert.equal(report.readUInt32BE(16), 12345);
  const sdes = report.subarray(28);
  assert.equal(sdes[1], 202);
  assert.equal(sdes.length % 4, 0);
  assert.equal((sdes.readUInt16BE(2) + 1) * 4, sdes.length);
  assert.equal(sdes.subarray(10, 13).toString(), 'cam');
});
