import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  RtpFrameAssembler,
  RtpTimeline,
  isKeyframe,
  seqDistance,
  type RtpPacketLike,
} from '../../../src/sources/webrtc/rtp-frames.js';
import { packetizeAccessUnit } from '../../../simulators/rtsp-camera/rtp/h264-packetizer.js';
import { packetizeVp8Frame } from '../../../simulators/whip-publisher/vp8-packetizer.js';
import { IvfReader } from '../../../simulators/whip-publisher/ivf-reader.js';
import { ivfFileHeader, ivfFrame } from '../../../src/sources/webrtc/ivf.js';

const sps = Buffer.from([0x67, 0x42, 0xc0, 0x1f, 0xda]);
const pps = Buffer.from([0x68, 0xce, 0x3c, 0x80]);
const idr = Buffer.concat([Buffer.from([0x65, 0x88]), Buffer.alloc(3000, 7)]);
const slice = (fill: number) => Buffer.concat([Buffer.from([0x41, 0x9a]), Buffer.alloc(2500, fill)]);
const annexB = (nals: Buffer[]) => Buffer.concat(nals.flatMap((n) => [Buffer.from([0, 0, 0, 1]), n]));

/** RTP packets of consecutive access units, sequence numbers from `seq`, 3000 ticks apart. */
function h264Packets(units: Buffer[][], seq = 65_530, ts = 4_294_960_000): RtpPacketLike[] {
  const packets: RtpPacketLike[] = [];
  units.forEach((nals, i) => {
    for (const { payload, marker } of packetizeAccessUnit(nals, 1100)) {
      packets.push({ sequenceNumber: seq & 0xffff, timestamp: (ts + i * 3000) >>> 0, marker, payload });
      seq += 1;
    }
  });
  return packets;
}

function frames(assembler: RtpFrameAssembler, packets: RtpPacketLike[]) {
  const out = packets.map((p) => assembler.push(p));
  return {
    frames: out.flatMap((o) => (o.frame === undefined ? [] : [o.frame])),
    needKeyframe: out.some((o) => o.needKeyframe),
  };
}

describe('RtpFrameAssembler (H.264)', () => {
  test('FU-A fragments and single NAL packets come back as Annex B access units, across the seq wrap', () => {
    const units = [[sps, pps, idr], [slice(1)], [slice(2)]];
    const { frames: out } = frames(new RtpFrameAssembler('h264'), h264Packets(units));
    assert.equal(out.length, 3);
    out.forEach((f, i) => assert.deepEqual(f.data, annexB(units[i] as Buffer[])));
    assert.deepEqual(
      out.map((f) => f.keyframe),
      [true, false, false],
    );
  });

  test('frames before the first keyframe are dropped and a keyframe is asked for', () => {
    const assembler = new RtpFrameAssembler('h264');
    const first = frames(assembler, h264Packets([[slice(1)]]));
    assert.equal(first.frames.length, 0);
    assert.equal(first.needKeyframe, true);
    assert.equal(assembler.stats.framesDropped, 1);
  });

  test('a lost packet drops its frame and everything up to the next keyframe', () => {
    const units = [[sps, pps, idr], [slice(1)], [slice(2)], [sps, pps, idr], [slice(3)]];
    const packets = h264Packets(units);
    // The second frame is slice(1): three packets after the keyframe's five; lose its middle one.
    const lossAt = packets.findIndex((p) => p.timestamp === packets[0]!.timestamp + 3000) + 1;
    const assembler = new RtpFrameAssembler('h264');
    const result = frames(
      assembler,
      packets.filter((_, i) => i !== lossAt),
    );
    assert.deepEqual(
      result.frames.map((f) => (f.rtpTimestamp - packets[0]!.timestamp) >>> 0),
      [0, 9000, 12000],
      'keyframe, then nothing until the next keyframe',
    );
    assert.equal(result.needKeyframe, true);
    assert.equal(assembler.stats.packetsLost, 1);
  });

  test('duplicates and late packets are ignored', () => {
    const packets = h264Packets([[sps, pps, idr], [slice(1)]]);
    const assembler = new RtpFrameAssembler('h264');
    const withDuplicate = [...packets.slice(0, 3), packets[1]!, ...packets.slice(3)];
    assert.equal(frames(assembler, withDuplicate).frames.length, 2);
    assert.equal(assembler.stats.packetsLate, 1);
  });
});

describe('RtpFrameAssembler (VP8)', () => {
  test('descriptor stripped, frames reassembled, keyframe from the P bit', () => {
    const key = Buffer.concat([Buffer.from([0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a]), Buffer.alloc(2500, 3)]);
    const inter = Buffer.concat([Buffer.from([0x31]), Buffer.alloc(500, 4)]);
    let seq = 100;
    const packets = [key, inter].flatMap((frame, i) =>
      packetizeVp8Frame(frame, 1100).map(({ payload, marker }) => ({
        sequenceNumber: seq++,
        timestamp: 1000 + i * 3000,
        marker,
        payload,
      })),
    );
    const out = frames(new RtpFrameAssembler('vp8'), packets).frames;
    assert.deepEqual(
      out.map((f) => f.data),
      [key, inter],
    );
    assert.deepEqual(
      out.map((f) => f.keyframe),
      [true, false],
    );
  });
});

describe('helpers', () => {
  test('seqDistance on the 16-bit circle', () => {
    assert.equal(seqDistance(65_535, 0), 1);
    assert.equal(seqDistance(0, 65_535), -1);
    assert.equal(seqDistance(10, 13), 3);
  });

  test('isKeyframe', () => {
    assert.equal(isKeyframe('h264', annexB([sps, pps, idr])), true);
    assert.equal(isKeyframe('h264', annexB([slice(0)])), false);
    assert.equal(isKeyframe('vp8', Buffer.from([0x10])), true);
    assert.equal(isKeyframe('vp8', Buffer.from([0x11])), false);
  });

  test('RtpTimeline: starts at 0, unwraps 32-bit timestamps, never goes backwards', () => {
    const timeline = new RtpTimeline();
    assert.equal(timeline.toPts(4_294_964_000), 0);
    assert.equal(timeline.toPts(4_294_967_000), 3000);
    assert.equal(timeline.toPts(2704), 6000);
    assert.equal(timeline.toPts(2704), 6001, 'a repeated timestamp still moves forward');
    assert.equal(timeline.toPts(5704), 9001);
  });

  test('RtpTimeline: a jump of more than 5 s (sender restarted its clock) advances one frame, not the jump', () => {
    const timeline = new RtpTimeline();
    timeline.toPts(1000);
    assert.equal(timeline.toPts(4000), 3000);
    assert.equal(timeline.toPts(4000 + 3600 * 90_000), 6000);
    assert.equal(timeline.toPts(4000 + 3600 * 90_000 + 3000), 9000);
    assert.equal(timeline.toPts(2000), 9001, 'and backwards by a lot: one tick');
  });

  test('IvfReader reads what the IVF writer wrote, whatever the chunking', () => {
    const stream = Buffer.concat([
      ivfFileHeader('vp8'),
      ivfFrame(Buffer.from([1, 2]), 0),
      ivfFrame(Buffer.from([3]), 3000),
    ]);
    const reader = new IvfReader();
    const out = [...stream].flatMap((byte) => reader.push(Buffer.from([byte])));
    assert.deepEqual(out, [
      { data: Buffer.from([1, 2]), pts: 0 },
      { data: Buffer.from([3]), pts: 3000 },
    ]);
    assert.deepEqual(reader.timeBase, { num: 1, den: 90_000 });
  });
});
