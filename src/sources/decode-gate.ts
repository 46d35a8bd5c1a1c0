// Which access units of a camera's H.264 stream the decoder needs (decode: picked). Pure: access units in
// (stream time, keyframe flag), verdicts out; no clock, no I/O.
//
// The decoder's fps filter emits slot n as the last frame before (n + 0.5) x slot, once a frame at or
// past that boundary arrives. Only one slot per segment is a pick (the segment's centre). Its frame needs
// the frames from the last keyframe up to the boundary; the first frame past the boundary makes the
// filter emit it at once, and two more carry it through the decoder (CLOSING_UNITS). Everything after
// that, up to the next keyframe, would be decoded only to be thrown away: the gate drops it when the
// keyframe rhythm says the next keyframe comes before the next pick's boundary.
//
// The decoder's timeline is shifted (decoderPtsShiftSeconds) so that pick boundaries fall `leadMs` after
// the first keyframe and, with a GOP of whole segments, after every keyframe: each GOP then decodes only
// those few frames. The pick is still the frame at the centre of its segment on the service's grid
// (anchored to the same timeline): the frame a full decode of the stream, shifted the same way, gives.

export interface DecodeGateOptions {
  /** The fps filter's frame period (1000 / sampleFps). */
  readonly slotMs: number;
  /** One pick per segment, at its centre; segmentMs must be a whole number of slots. */
  readonly segmentMs: number;
  /**
   * Pick boundaries fall this long after a keyframe (default 100 ms, the keyframe and 2 frames at 25 fps;
   * a quarter of a slot when that is less).
   */
  readonly leadMs?: number;
  /** Keyframe intervals differing by up to this much count as one rhythm (default 50). */
  readonly jitterMs?: number;
  /**
   * Output frames the decoder holds back before writing one (decoderOutputLag): it writes a pick
   * only once it made that many slots more, so units pass until those slots' boundaries too.
   */
  readonly outputLagSlots?: number;
}

export type GateVerdict = 'forward' | 'drop';

export interface DecodeGateStats {
  readonly forwarded: number;
  readonly dropped: number;
  /**
   * Picks whose boundary passed while units were being dropped (a keyframe came later than its rhythm
   * said): the pick shows an older picture. Skipping stops until the rhythm is regular again.
   */
  readonly missedPicks: number;
  /** No keyframe came within noKeyframeFallbackMs: every unit is passed on. */
  readonly passAll: boolean;
}

const PTS_PER_MS = 90;
/**
 * Units passed on after a trigger: the decoder's MPEG-TS demuxer hands a unit on when the next one
 * starts, and its H.264 parser ends a frame where the next one begins, so the trigger reaches the
 * decoder two units later. Without them the pick would wait for the next keyframe.
 */
const CLOSING_UNITS = 2;
/**
 * A stream with no keyframe for this long (cameras using intra refresh instead of IDR frames): decoding
 * starts anyway and every unit is passed on, as with decode: all.
 */
export const noKeyframeFallbackMs = 5_000;

export class DecodeGate {
  private readonly leadMs: number;
  private readonly jitterMs: number;
  private firstKeyPts: number | undefined;
  private firstUnitPts: number | undefined;
  private passAll = false;
  private lastKeyMs = 0;
  private keyIntervalMs: number | undefined;
  private rhythmRegular = false;
  private pick = 0;
  private dropping = false;
  /** Units still to pass after a trigger before dropping starts (CLOSING_UNITS). */
  private closingUnits = 0;
  private forwarded = 0;
  private dropped = 0;
  private missedPicks = 0;

  constructor(private readonly options: DecodeGateOptions) {
    // Below half a slot, so the shift stays positive and the decoder's first slot is the one at the
    // first keyframe (at 10 frames/s and more a 100 ms lead would make it the slot before).
    this.leadMs = options.leadMs ?? Math.min(100, options.slotMs / 4);
    this.jitterMs = options.jitterMs ?? 50;
  }

  /** True once the first keyframe arrived: the decoder can start, with decoderPtsShiftSeconds. */
  get started(): boolean {
    return this.firstKeyPts !== undefined;
  }

  /**
   * What the decoder adds to every timestamp before its fps filter (0 = the first keyframe, the first
   * unit it gets). The filter's slots lie on multiples of slotMs, slot n holding the last frame before
   * (n + 0.5) x slotMs; the first output slot is the one nearest the first keyframe, and the service's
   * grid puts a segment centre on it (gridOriginMs = -segmentMs / 2). Shifting by slotMs / 2 - leadMs
   * puts that boundary, and every segment's after it, leadMs after a keyframe.
   */
  get decoderPtsShiftSeconds(): number {
    return (this.options.slotMs / 2 - this.leadMs) / 1000;
  }

  stats(): DecodeGateStats {
    const { forwarded, dropped, missedPicks, passAll } = this;
    return { forwarded, dropped, missedPicks, passAll };
  }

  /** The verdict for the access unit starting with this PTS (90 kHz, unwrapped). */
  accessUnit(pts90k: number, keyframe: boolean): GateVerdict {
    const verdict = this.decide(pts90k, keyframe);
    if (verdict === 'forward') this.forwarded += 1;
    else this.dropped += 1;
    return verdict;
  }

  private decide(pts90k: number, keyframe: boolean): GateVerdict {
    if (this.firstKeyPts === undefined) {
      this.firstUnitPts ??= pts90k;
      this.passAll = !keyframe && pts90k - this.firstUnitPts >= noKeyframeFallbackMs * PTS_PER_MS;
      if (!keyframe && !this.passAll) return 'drop'; // undecodable before the first keyframe
      this.firstKeyPts = pts90k;
      return 'forward';
    }
    if (this.passAll) return 'forward';
    const tMs = (pts90k - this.firstKeyPts) / PTS_PER_MS;
    if (this.dropping) this.countMissedPicks(tMs);
    if (keyframe) this.keyframeAt(tMs);
    if (this.dropping && !keyframe) return 'drop';
    if (this.closingUnits > 0 && !keyframe) {
      this.closingUnits -= 1;
      this.dropping = this.closingUnits === 0;
      return 'forward';
    }
    this.closingUnits = 0;
    const trigger = tMs >= this.releaseMs(this.pick);
    if (keyframe && !trigger && this.nextKeyComesFirst(tMs)) {
      this.dropping = true; // no pick needs this keyframe: the next one comes before the next boundary
      return 'drop';
    }
    this.dropping = false;
    if (trigger) {
      while (this.releaseMs(this.pick) <= tMs) this.pick += 1;
      this.closingUnits = this.nextKeyComesFirst(this.lastKeyMs) ? CLOSING_UNITS : 0;
    }
    return 'forward';
  }

  private boundaryMs(pick: number): number {
    return this.leadMs + pick * this.options.segmentMs;
  }

  /** Past this the decoder writes the pick out (its boundary, plus the slots it holds back). */
  private releaseMs(pick: number): number {
    return this.boundaryMs(pick) + (this.options.outputLagSlots ?? 0) * this.options.slotMs;
  }

  /** Whether the keyframe after the one at keyMs is due before the current pick's boundary. */
  private nextKeyComesFirst(keyMs: number): boolean {
    if (!this.rhythmRegular || this.keyIntervalMs === undefined) return false;
    return keyMs + this.keyIntervalMs + this.jitterMs <= this.boundaryMs(this.pick);
  }

  private keyframeAt(tMs: number): void {
    const interval = tMs - this.lastKeyMs;
    const previous = this.keyIntervalMs;
    this.rhythmRegular =
      interval > 0 && previous !== undefined && Math.abs(interval - previous) <= this.jitterMs;
    this.keyIntervalMs = interval > 0 ? interval : undefined;
    this.lastKeyMs = tMs;
  }

  private countMissedPicks(tMs: number): void {
    while (this.boundaryMs(this.pick) <= tMs) {
      this.pick += 1;
      this.missedPicks += 1;
      this.rhythmRegular = false;
    }
  }
}
