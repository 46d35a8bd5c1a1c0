// TSN's segment sampling applied to a live stream: a fixed time grid per camera, one frame per segment,
// windows of numSeg consecutive segments sliding by strideSegments. Pure: frames in, outputs out, no clock.
import type { Frame, SegmentFrame } from '../domain/index.js';
import type { PickRule, SegmenterOptions } from './options.js';

/** A segment frame plus the bookkeeping the rest of the pipeline needs. */
export interface SegmentJob extends SegmentFrame {
  /** Per-camera sequence number, never reused (segment indices repeat after a stream restart). */
  readonly seq: number;
  /** True when no frame fell inside the segment and a neighbouring frame stands in for it. */
  readonly filled: boolean;
}

/** numSeg consecutive segments of one camera, oldest first. */
export interface WindowSpec {
  readonly cameraId: string;
  readonly segments: readonly SegmentJob[];
  readonly startMs: number;
  readonly endMs: number;
}

export type RingBreakReason = 'gap' | 'restart';

/** The ring restarted: no window spans this point. */
export interface RingBreak {
  readonly cameraId: string;
  readonly reason: RingBreakReason;
  /** Stream time of the last frame before the break and of the frame that caused it. */
  readonly lastPtsMs: number;
  readonly nextPtsMs: number;
}

export interface SegmenterOutput {
  readonly segments: SegmentJob[];
  readonly windows: WindowSpec[];
  readonly breaks: RingBreak[];
}

export interface SegmenterStats {
  framesIn: number;
  framesLate: number;
  segments: number;
  segmentsFilled: number;
  segmentsMissing: number;
  windows: number;
  gaps: number;
  restarts: number;
}

export function emptySegmenterStats(): SegmenterStats {
  return {
    framesIn: 0,
    framesLate: 0,
    segments: 0,
    segmentsFilled: 0,
    segmentsMissing: 0,
    windows: 0,
    gaps: 0,
    restarts: 0,
  };
}

interface OpenSegment {
  readonly index: number;
  best: Frame;
  /** The pick became final before the segment ended and was emitted already. */
  emitted: boolean;
}

// Float grid arithmetic: a pts exactly on a boundary must land in the later segment.
const EPSILON_MS = 1e-6;

/**
 * Segment k covers [origin + k*segmentMs, origin + (k+1)*segmentMs), segmentMs = windowMs / numSeg. A segment's
 * SegmentJob (and a window ending with it) is emitted as soon as its pick is final: when a frame past the
 * segment's centre arrives (the pick rule cannot prefer any later frame), else when it is closed by a frame
 * past its end or by flush(). Frames arriving out of order inside an already emitted segment are ignored.
 *
 * Decisions:
 * - Frames older than the open segment are late: dropped and counted (stats.framesLate).
 * - A frame more than maxGapMs older than the latest one is a stream restart: the open segment is closed,
 *   the ring restarts and the grid state is reset (seq keeps counting).
 * - A pause longer than maxGapMs between two frames restarts the ring: no window spans it, empty segments
 *   inside it are not emitted.
 * - An empty segment inside a shorter pause: missingSegment 'nearest' (default) emits it with the frame the
 *   pick rule prefers among the two frames around the pause, as PaddleVideo's sampler repeats frames when a
 *   clip is short; it costs one backbone pass like any segment. 'skip' emits nothing and no window contains
 *   it (windows resume numSeg segments later).
 */
export class Segmenter {
  readonly stats: SegmenterStats = emptySegmenterStats();

  private readonly segmentMs: number;
  private open: OpenSegment | null = null;
  private closedThrough: number | null = null;
  private latest: Frame | null = null;
  private ring: SegmentJob[] = [];
  private segmentsSinceWindow = 0;
  private windowInRun = false;
  private nextSeq: number;

  /** firstSeq: where this camera's seq numbers start (keep them apart when a camera id is re-added). */
  constructor(
    readonly cameraId: string,
    private readonly options: SegmenterOptions,
    firstSeq = 0,
  ) {
    this.segmentMs = options.windowMs / options.numSeg;
    this.nextSeq = firstSeq;
  }

  push(frame: Frame): SegmenterOutput {
    const out = emptyOutput();
    this.stats.framesIn++;
    if (this.latest !== null && frame.ptsMs < this.latest.ptsMs - this.options.maxGapMs) {
      this.restart(frame, out);
    }
    const index = this.indexOf(frame.ptsMs);
    const open = this.open;
    if (open !== null && index === open.index) {
      if (!open.emitted && this.prefers(frame, open.best, index)) open.best = frame;
      this.noteLatest(frame);
      this.emitIfFinal(open, frame, out);
      return out;
    }
    const boundary = open?.index ?? (this.closedThrough === null ? null : this.closedThrough + 1);
    if (boundary !== null && index < boundary) {
      this.stats.framesLate++;
      return out;
    }
    this.closeOpen(out);
    this.bridgeTo(index, frame, out);
    const opened: OpenSegment = { index, best: frame, emitted: false };
    this.open = opened;
    this.noteLatest(frame);
    this.emitIfFinal(opened, frame, out);
    return out;
  }

  /**
   * Closes the open segment if the stream clock has passed its end (nowPtsMs), or unconditionally when
   * nowPtsMs is omitted (end of stream).
   */
  flush(nowPtsMs?: number): SegmenterOutput {
    const out = emptyOutput();
    const open = this.open;
    if (open !== null && (nowPtsMs === undefined || nowPtsMs >= this.endOf(open.index) - EPSILON_MS)) {
      this.closeOpen(out);
    }
    return out;
  }

  get segmentDurationMs(): number {
    return this.segmentMs;
  }

  private restart(frame: Frame, out: SegmenterOutput): void {
    this.closeOpen(out);
    this.breakRing('restart', frame, out);
    this.stats.restarts++;
    this.closedThrough = null;
    this.latest = null;
  }

  private closeOpen(out: SegmenterOutput): void {
    const open = this.open;
    if (open === null) return;
    this.open = null;
    if (!open.emitted) this.emitSegment(open.index, open.best, false, out);
  }

  /**
   * Emits the open segment as soon as no later frame can change its pick (frames arrive in pts order), not
   * only when the segment ends: the backbone starts up to half a segment earlier. With a known frame
   * period the next frame's earliest pts decides, so the centre frame goes out on arrival instead of one
   * frame later (250 ms at 4 frames/s, 500 ms at 2).
   */
  private emitIfFinal(open: OpenSegment, latest: Frame, out: SegmenterOutput): void {
    if (open.emitted) return;
    const centre = this.centreOf(open.index);
    const best = open.best.ptsMs;
    const nextPtsMs = latest.ptsMs + this.options.framePeriodMs;
    const final =
      this.options.pick === 'paddle'
        ? best > centre + EPSILON_MS || nextPtsMs > centre + EPSILON_MS
        : nextPtsMs - centre >= Math.abs(best - centre) - EPSILON_MS;
    if (!final) return;
    open.emitted = true;
    this.emitSegment(open.index, open.best, false, out);
  }

  /** Handles the segments between the last closed one and `index`, where `frame` lands. */
  private bridgeTo(index: number, frame: Frame, out: SegmenterOutput): void {
    const previous = this.latest;
    const closedThrough = this.closedThrough;
    if (previous === null || closedThrough === null) return;
    if (frame.ptsMs - previous.ptsMs > this.options.maxGapMs) {
      this.breakRing('gap', frame, out);
      this.stats.gaps++;
      return;
    }
    for (let k = closedThrough + 1; k < index; k++) {
      if (this.options.missingSegment === 'skip') {
        this.stats.segmentsMissing++;
        this.closedThrough = k;
        this.resetRing();
      } else {
        const stand = this.prefers(frame, previous, k) ? frame : previous;
        this.stats.segmentsFilled++;
        this.emitSegment(k, stand, true, out);
      }
    }
  }

  private emitSegment(index: number, frame: Frame, filled: boolean, out: SegmenterOutput): void {
    const job: SegmentJob = {
      cameraId: this.cameraId,
      segmentIndex: index,
      segmentStartMs: this.startOf(index),
      segmentEndMs: this.endOf(index),
      frame,
      seq: this.nextSeq++,
      filled,
    };
    this.closedThrough = index;
    this.stats.segments++;
    out.segments.push(job);
    this.ring.push(job);
    if (this.ring.length > this.options.numSeg) this.ring.shift();
    this.segmentsSinceWindow++;
    if (this.ring.length < this.options.numSeg) return;
    if (this.windowInRun && this.segmentsSinceWindow < this.options.strideSegments) return;
    this.windowInRun = true;
    this.segmentsSinceWindow = 0;
    this.stats.windows++;
    const segments = [...this.ring];
    out.windows.push({
      cameraId: this.cameraId,
      segments,
      startMs: segments[0]?.segmentStartMs ?? job.segmentStartMs,
      endMs: job.segmentEndMs,
    });
  }

  private breakRing(reason: RingBreak['reason'], frame: Frame, out: SegmenterOutput): void {
    this.resetRing();
    out.breaks.push({
      cameraId: this.cameraId,
      reason,
      lastPtsMs: this.latest?.ptsMs ?? frame.ptsMs,
      nextPtsMs: frame.ptsMs,
    });
  }

  private resetRing(): void {
    this.ring = [];
    this.segmentsSinceWindow = 0;
    this.windowInRun = false;
  }

  private noteLatest(frame: Frame): void {
    if (this.latest === null || frame.ptsMs >= this.latest.ptsMs) this.latest = frame;
  }

  private prefers(candidate: Frame, current: Frame, index: number): boolean {
    return prefersFrame(this.options.pick, candidate.ptsMs, current.ptsMs, this.centreOf(index));
  }

  private indexOf(ptsMs: number): number {
    return Math.floor((ptsMs - this.options.gridOriginMs + EPSILON_MS) / this.segmentMs);
  }

  private startOf(index: number): number {
    return this.options.gridOriginMs + index * this.segmentMs;
  }

  private endOf(index: number): number {
    return this.options.gridOriginMs + (index + 1) * this.segmentMs;
  }

  private centreOf(index: number): number {
    return this.options.gridOriginMs + (index + 0.5) * this.segmentMs;
  }
}

/** True when the frame at candidatePts represents a segment centred at centreMs better than currentPts. */
export function prefersFrame(
  rule: PickRule,
  candidatePts: number,
  currentPts: number,
  centreMs: number,
): boolean {
  if (rule === 'nearest') {
    const dc = Math.abs(candidatePts - centreMs);
    const dk = Math.abs(currentPts - centreMs);
    return dc < dk - EPSILON_MS || (Math.abs(dc - dk) <= EPSILON_MS && candidatePts < currentPts);
  }
  const candidateBefore = candidatePts <= centreMs + EPSILON_MS;
  const currentBefore = currentPts <= centreMs + EPSILON_MS;
  if (candidateBefore !== currentBefore) return candidateBefore;
  return candidateBefore ? candidatePts > currentPts : candidatePts < currentPts;
}

function emptyOutput(): SegmenterOutput {
  return { segments: [], windows: [], breaks: [] };
}
