// RTP packets -> whole encoded frames (pure). Packets of one frame share a timestamp and the last one
// carries the marker bit; a gap in sequence numbers loses the frame in progress, and since every later
// frame may reference the lost one, nothing is handed on until the next keyframe.
import { dePacketizeRtpPackets, RtpHeader, RtpPacket } from 'werift';
import type { VideoCodec } from './ivf.js';

export interface RtpPacketLike {
  readonly sequenceNumber: number;
  readonly timestamp: number;
  readonly marker: boolean;
  readonly payload: Buffer;
}

export interface EncodedFrame {
  readonly data: Buffer;
  readonly keyframe: boolean;
  /** The frame's RTP timestamp (90 kHz, wraps at 2^32). */
  readonly rtpTimestamp: number;
}

export interface AssemblerOutput {
  readonly frame?: EncodedFrame;
  /** The sender should be asked for a keyframe (loss seen, or still waiting for the first one). */
  readonly needKeyframe: boolean;
}

export interface AssemblerCounters {
  readonly framesOut: number;
  /** Frames thrown away: damaged by loss, or not decodable while waiting for a keyframe. */
  readonly framesDropped: number;
  readonly packetsLost: number;
  /** Duplicates and packets that arrived after their frame was given up. */
  readonly packetsLate: number;
}

const maxPacketsPerFrame = 4096;

const depacketizerName: Record<VideoCodec, 'MPEG4/ISO/AVC' | 'VP8'> = { h264: 'MPEG4/ISO/AVC', vp8: 'VP8' };

export class RtpFrameAssembler {
  private packets: RtpPacketLike[] = [];
  private expectedSeq: number | undefined;
  private damaged = false;
  private waitingForKeyframe = true;
  private counters = { framesOut: 0, framesDropped: 0, packetsLost: 0, packetsLate: 0 };

  constructor(private readonly codec: VideoCodec) {}

  get stats(): AssemblerCounters {
    return { ...this.counters };
  }

  /** Frames after this one are useless until a keyframe (e.g. the decoder refused one). */
  requireKeyframe(): void {
    this.waitingForKeyframe = true;
  }

  push(packet: RtpPacketLike): AssemblerOutput {
    if (this.expectedSeq !== undefined) {
      const ahead = seqDistance(this.expectedSeq, packet.sequenceNumber);
      if (ahead < 0) {
        this.counters.packetsLate += 1;
        return { needKeyframe: this.waitingForKeyframe };
      }
      if (ahead > 0) {
        this.counters.packetsLost += ahead;
        this.damaged = true;
        this.waitingForKeyframe = true;
      }
    }
    this.expectedSeq = (packet.sequenceNumber + 1) & 0xffff;
    const first = this.packets[0];
    if (first !== undefined && first.timestamp !== packet.timestamp) this.dropPartial();
    this.packets.push(packet);
    if (this.packets.length > maxPacketsPerFrame) {
      // A marker that never comes must not hold memory forever (a 4K keyframe is ~1,000 packets).
      this.dropPartial();
      return { needKeyframe: true };
    }
    if (!packet.marker) return { needKeyframe: this.waitingForKeyframe };
    return this.complete();
  }

  private complete(): AssemblerOutput {
    const packets = this.packets;
    const damaged = this.damaged;
    this.packets = [];
    this.damaged = false;
    const first = packets[0];
    if (damaged || first === undefined) {
      this.counters.framesDropped += 1;
      return { needKeyframe: true };
    }
    const data = dePacketizeRtpPackets(
      depacketizerName[this.codec],
      packets.map(
        (p) =>
          new RtpPacket(
            new RtpHeader({ timestamp: p.timestamp, sequenceNumber: p.sequenceNumber }),
            p.payload,
          ),
      ),
    ).data;
    const keyframe = isKeyframe(this.codec, data);
    if (data.length === 0 || (this.waitingForKeyframe && !keyframe)) {
      this.counters.framesDropped += 1;
      return { needKeyframe: this.waitingForKeyframe };
    }
    this.waitingForKeyframe = false;
    this.counters.framesOut += 1;
    return { frame: { data, keyframe, rtpTimestamp: first.timestamp }, needKeyframe: false };
  }

  /** A frame whose marker never came (its last packet was lost): drop what we have of it. */
  private dropPartial(): void {
    this.packets = [];
    this.damaged = false;
    this.counters.framesDropped += 1;
    this.waitingForKeyframe = true;
  }
}

/** Signed distance from `expected` to `actual` on the 16-bit sequence circle. */
export function seqDistance(expected: number, actual: number): number {
  const d = (actual - expected) & 0xffff;
  return d >= 0x8000 ? d - 0x10000 : d;
}

/** H.264: the access unit holds an IDR slice (type 5). VP8: the frame tag's P bit is 0. */
export function isKeyframe(codec: VideoCodec, data: Uint8Array): boolean {
  if (codec === 'vp8') return data.length > 0 && ((data[0] as number) & 0x01) === 0;
  for (const type of annexBNalTypes(data)) if (type === 5) return true;
  return false;
}

export function* annexBNalTypes(data: Uint8Array): Generator<number> {
  for (let i = 0; i + 3 < data.length; i++) {
    if (data[i] === 0 && data[i + 1] === 0 && data[i + 2] === 1) {
      yield (data[i + 3] as number) & 0x1f;
      i += 3;
    }
  }
}

/**
 * RTP timestamps (32-bit, random start) -> a 90 kHz timeline starting at 0 that never goes backwards,
 * so the decoder's fps filter sees the sender's real frame timing.
 *
 * A jump beyond maxJumpTicks (the sender restarted its encoder and its clock) is a discontinuity, not a
 * pause: it advances by one frame interval instead, or the fps filter would fill the jump with copies of
 * the last picture. Real pauses of the stream are handled by the stall watchdog and the segmenter's gaps.
 */
export class RtpTimeline {
  private lastRtp: number | undefined;
  private lastPts = 0;

  constructor(
    private readonly maxJumpTicks = 5 * 90_000,
    private readonly discontinuityTicks = 3_000,
  ) {}

  toPts(rtpTimestamp: number): number {
    if (this.lastRtp === undefined) {
      this.lastRtp = rtpTimestamp >>> 0;
      return 0;
    }
    const delta = ((rtpTimestamp >>> 0) - this.lastRtp) | 0;
    this.lastRtp = rtpTimestamp >>> 0;
    // A frame never shares or precedes an earlier one's time: the container needs strictly increasing pts.
    const step = delta > this.maxJumpTicks ? this.discontinuityTicks : Math.max(1, delta);
    this.lastPts += step;
    return this.lastPts;
  }
}
