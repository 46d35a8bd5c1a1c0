import { NalType, nalType } from '../h264/annexb.js';
import type { AccessUnit } from '../h264/access-units.js';
import { packetizeAccessUnit, type RtpPayload } from '../rtp/h264-packetizer.js';
import type { FrameRate } from './ffmpeg-args.js';

/** An access unit ready to send: RTP payloads cut once and shared by every session of the camera. */
export interface TimedAccessUnit {
  readonly rtpTimestamp: number;
  readonly isKeyframe: boolean;
  readonly payloads: readonly RtpPayload[];
  readonly bytes: number;
}

export interface ParameterSets {
  readonly sps: Buffer;
  readonly pps: Buffer;
}

/**
 * Turns the encoder's access units into timed, packetized units on a 90 kHz clock derived from the frame
 * count (the encoder outputs a constant frame rate). Remembers the latest SPS/PPS and puts them in front of
 * any IDR that lacks them, so a session joining at that IDR can decode it.
 */
export class AccessUnitTimer {
  private frameIndex = 0;
  private parameterSets: ParameterSets | undefined;

  constructor(
    private readonly frameRate: FrameRate,
    private readonly timestampBase: number,
    private readonly maxPayloadBytes: number,
  ) {}

  get latestParameterSets(): ParameterSets | undefined {
    return this.parameterSets;
  }

  /** RTP time of the next frame; monotonic across encoder restarts. */
  nextTimestamp(): number {
    return this.timestampAt(this.frameIndex);
  }

  timestampAt(frameIndex: number): number {
    return (
      (this.timestampBase + Math.round((frameIndex * 90_000 * this.frameRate.den) / this.frameRate.num)) >>> 0
    );
  }

  push(unit: AccessUnit): TimedAccessUnit {
    this.rememberParameterSets(unit.nals);
    const nals = unit.isKeyframe ? this.withParameterSets(unit.nals) : unit.nals;
    const payloads = packetizeAccessUnit(
      nals.filter((n) => nalType(n) !== NalType.aud),
      this.maxPayloadBytes,
    );
    const timed: TimedAccessUnit = {
      rtpTimestamp: this.timestampAt(this.frameIndex),
      isKeyframe: unit.isKeyframe,
      payloads,
      bytes: payloads.reduce((sum, p) => sum + p.payload.length, 0),
    };
    this.frameIndex++;
    return timed;
  }

  private rememberParameterSets(nals: readonly Buffer[]): void {
    const sps = nals.find((n) => nalType(n) === NalType.sps);
    const pps = nals.find((n) => nalType(n) === NalType.pps);
    if (sps !== undefined && pps !== undefined) this.parameterSets = { sps, pps };
    else if (sps !== undefined && this.parameterSets !== undefined)
      this.parameterSets = { ...this.parameterSets, sps };
  }

  private withParameterSets(nals: readonly Buffer[]): readonly Buffer[] {
    if (this.parameterSets === undefined || nals.some((n) => nalType(n) === NalType.sps)) return nals;
    return [this.parameterSets.sps, this.parameterSets.pps, ...nals];
  }
}
