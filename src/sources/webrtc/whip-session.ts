// One publisher's session: peer connection -> RTP -> whole frames on the sender's clock, with keyframe
// requests (PLI) while none has arrived yet and after every loss. The decoder it feeds is attached by
// the WHIP source and torn down with the session.
import type { VideoCodec } from './ivf.js';
import { RtpFrameAssembler, RtpTimeline } from './rtp-frames.js';
import { answerWhipOffer, type WhipIceOptions, type WhipPeer } from './whip-peer.js';

export interface WhipSessionOptions {
  readonly ice: WhipIceOptions;
  readonly keyframeRequestIntervalMs: number;
  readonly now: () => number;
  /** A whole frame; return false when it could not be queued (the session then waits for a keyframe). */
  onFrame(data: Buffer, pts90k: number, codec: VideoCodec): boolean;
  /** The connection ended without close() (ICE/DTLS failed or closed). */
  onLost(reason: string): void;
}

export interface WhipSessionStats {
  /** PLIs sent to the publisher. */
  readonly keyframeRequests: number;
  /** RTP packets that never arrived (sequence gaps). */
  readonly packetsLost: number;
  /** Encoded frames not decoded: damaged by loss, or waiting for a keyframe. */
  readonly encodedFramesDropped: number;
}

/** The decoder a session feeds (IvfDecoder, or a fake in tests). */
export interface WhipDecoder {
  readonly pid: number | undefined;
  /** False when the frame was refused (ffmpeg too far behind): wait for a keyframe. */
  write(data: Uint8Array, pts: number): boolean;
  kill(graceMs: number): Promise<void>;
}

export class WhipSession {
  decoder: WhipDecoder | undefined;
  private peer: WhipPeer | undefined;
  private assembler: RtpFrameAssembler | undefined;
  private readonly timeline = new RtpTimeline();
  private keyframeTimer: NodeJS.Timeout | undefined;
  private lastKeyframeRequestMs = -Infinity;
  private keyframeRequests = 0;
  private closed: Promise<void> | undefined;

  constructor(
    readonly id: string,
    private readonly options: WhipSessionOptions,
  ) {}

  get answerSdp(): string {
    return this.peer?.answerSdp ?? '';
  }

  get stats(): WhipSessionStats {
    const assembled = this.assembler?.stats;
    return {
      keyframeRequests: this.keyframeRequests,
      packetsLost: assembled?.packetsLost ?? 0,
      encodedFramesDropped: assembled?.framesDropped ?? 0,
    };
  }

  async negotiate(offerSdp: string): Promise<void> {
    this.peer = await answerWhipOffer(offerSdp, this.options.ice, {
      onRtp: (packet, codec) =>
        this.onRtp(
          {
            sequenceNumber: packet.header.sequenceNumber,
            timestamp: packet.header.timestamp,
            marker: packet.header.marker,
            payload: packet.payload,
          },
          codec,
        ),
      onConnectionLost: (reason) => this.options.onLost(reason),
    });
    if (this.closed !== undefined) {
      await this.peer.close();
      return;
    }
    // Until the first keyframe, ask for one periodically: a PLI sent before the sender's track started
    // is lost, and a browser's first frame is not always a keyframe by the time DTLS is up.
    this.keyframeTimer = setInterval(() => {
      if (this.assembler?.stats.framesOut === undefined || this.assembler.stats.framesOut === 0) {
        this.requestKeyframe(true);
      } else {
        clearInterval(this.keyframeTimer);
      }
    }, this.options.keyframeRequestIntervalMs);
  }

  close(killGraceMs: number): Promise<void> {
    this.closed ??= (async () => {
      clearInterval(this.keyframeTimer);
      await Promise.all([this.peer?.close(), this.decoder?.kill(killGraceMs)]);
    })();
    return this.closed;
  }

  private onRtp(
    packet: { sequenceNumber: number; timestamp: number; marker: boolean; payload: Buffer },
    codec: VideoCodec,
  ): void {
    if (this.closed !== undefined) return;
    this.assembler ??= new RtpFrameAssembler(codec);
    const out = this.assembler.push(packet);
    if (out.frame !== undefined) {
      const accepted = this.options.onFrame(
        out.frame.data,
        this.timeline.toPts(out.frame.rtpTimestamp),
        codec,
      );
      if (!accepted) {
        this.assembler.requireKeyframe();
        this.requestKeyframe(false);
      }
    } else if (out.needKeyframe) {
      this.requestKeyframe(false);
    }
  }

  /** The decoder saw a broken picture: ask for a keyframe (throttled like the assembler's requests). */
  decoderSawLoss(): void {
    this.requestKeyframe(false);
  }

  /** PLI, at most one per keyframeRequestIntervalMs (a burst of loss must not become a burst of PLIs). */
  private requestKeyframe(periodic: boolean): void {
    const now = this.options.now();
    if (!periodic && now - this.lastKeyframeRequestMs < this.options.keyframeRequestIntervalMs) return;
    this.lastKeyframeRequestMs = now;
    this.keyframeRequests += 1;
    this.peer?.requestKeyframe();
  }
}
