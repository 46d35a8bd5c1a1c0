// Segment mode's per-camera ring: keeps each segment's backbone feature until no window can still use it,
// and releases a window once the features of all its segments are in. Pure.
import { TsnError } from '../errors/index.js';
import type { SegmentJob, WindowSpec } from './segmenter.js';

/** A window whose segment features are all known: numSeg x views x featureDim, segment-major. */
export interface ReadyWindow {
  readonly spec: WindowSpec;
  readonly features: Float32Array;
  /** numSeg * views: the rows the head averages. */
  readonly perWindow: number;
  readonly featureDim: number;
}

interface CameraRing {
  readonly numSeg: number;
  readonly views: number;
  readonly features: Map<number, Float32Array>;
  /** Segments dropped before inference: windows containing them are abandoned. */
  readonly lost: Set<number>;
  pending: WindowSpec[];
  /** How many pending windows use each seq. */
  readonly refs: Map<number, number>;
  maxSeq: number;
}

/**
 * Windows are released in the order the segmenter announced them, per camera. Retention: a feature is
 * kept while a pending window needs it or while a future window may (seq > newest seq - numSeg); windows
 * are announced before their segments reach the batcher, so no other window can need it.
 */
export class WindowAssembler {
  private readonly rings = new Map<string, CameraRing>();
  private abandonedCount = 0;

  addCamera(cameraId: string, numSeg: number, views: number): void {
    this.rings.set(cameraId, {
      numSeg,
      views,
      features: new Map(),
      lost: new Set(),
      pending: [],
      refs: new Map(),
      maxSeq: -1,
    });
  }

  removeCamera(cameraId: string): void {
    this.rings.delete(cameraId);
  }

  addWindow(spec: WindowSpec): void {
    const ring = this.rings.get(spec.cameraId);
    if (ring === undefined) return;
    if (spec.segments.some((s) => ring.lost.has(s.seq))) {
      this.abandonedCount++;
      return;
    }
    ring.pending.push(spec);
    for (const s of spec.segments) {
      ring.refs.set(s.seq, (ring.refs.get(s.seq) ?? 0) + 1);
      ring.maxSeq = Math.max(ring.maxSeq, s.seq);
    }
  }

  /**
   * features: jobs.length x views x featureDim (the embed result for a batch). Returns the windows this
   * completes, in order per camera, across cameras.
   */
  addFeatures(jobs: readonly SegmentJob[], features: Float32Array, views: number): ReadyWindow[] {
    const rowLength = features.length / jobs.length;
    if (jobs.length === 0 || !Number.isInteger(rowLength / views) || rowLength === 0) {
      throw new TsnError(
        'E_PIPELINE_EMBED',
        `embed returned ${features.length} floats for ${jobs.length} segment frames x ${views} views: ` +
          'expected a positive multiple (batch x views x featureDim)',
        { context: { floats: features.length, batch: jobs.length, views } },
      );
    }
    const touched = new Set<CameraRing>();
    jobs.forEach((job, i) => {
      const ring = this.rings.get(job.cameraId);
      if (ring === undefined) return;
      ring.features.set(job.seq, features.subarray(i * rowLength, (i + 1) * rowLength));
      ring.maxSeq = Math.max(ring.maxSeq, job.seq);
      touched.add(ring);
    });
    const ready: ReadyWindow[] = [];
    for (const ring of touched) {
      this.releaseReady(ring, rowLength / views, ready);
      this.evict(ring);
    }
    return ready;
  }

  /** Segments that will never get a feature (dropped by the queue, failed inference). */
  dropSegments(jobs: readonly SegmentJob[]): void {
    const touched = new Set<CameraRing>();
    for (const job of jobs) {
      const ring = this.rings.get(job.cameraId);
      if (ring === undefined) continue;
      ring.lost.add(job.seq);
      ring.maxSeq = Math.max(ring.maxSeq, job.seq);
      touched.add(ring);
    }
    for (const ring of touched) {
      const keep = ring.pending.filter((w) => !w.segments.some((s) => ring.lost.has(s.seq)));
      this.abandonedCount += ring.pending.length - keep.length;
      this.replacePending(ring, keep);
      this.evict(ring);
    }
  }

  /** Windows given up because a segment of theirs was lost. */
  get abandoned(): number {
    return this.abandonedCount;
  }

  get pendingWindows(): number {
    let n = 0;
    for (const ring of this.rings.values()) n += ring.pending.length;
    return n;
  }

  /** Features currently held (all cameras); bounded by about numSeg + in-flight segments per camera. */
  get heldFeatures(): number {
    let n = 0;
    for (const ring of this.rings.values()) n += ring.features.size;
    return n;
  }

  private releaseReady(ring: CameraRing, featureDim: number, ready: ReadyWindow[]): void {
    let released = 0;
    for (const spec of ring.pending) {
      if (!spec.segments.every((s) => ring.features.has(s.seq))) break;
      ready.push(this.assemble(ring, spec, featureDim));
      released++;
    }
    if (released > 0) this.replacePending(ring, ring.pending.slice(released));
  }

  private assemble(ring: CameraRing, spec: WindowSpec, featureDim: number): ReadyWindow {
    const perWindow = spec.segments.length * ring.views;
    const out = new Float32Array(perWindow * featureDim);
    spec.segments.forEach((s, i) => {
      const feature = ring.features.get(s.seq);
      if (feature !== undefined) out.set(feature, i * ring.views * featureDim);
    });
    return { spec, features: out, perWindow, featureDim };
  }

  private replacePending(ring: CameraRing, keep: WindowSpec[]): void {
    ring.refs.clear();
    for (const w of keep) for (const s of w.segments) ring.refs.set(s.seq, (ring.refs.get(s.seq) ?? 0) + 1);
    ring.pending = keep;
  }

  private evict(ring: CameraRing): void {
    const horizon = ring.maxSeq - ring.numSeg;
    for (const seq of ring.features.keys())
      if (seq <= horizon && !ring.refs.has(seq)) ring.features.delete(seq);
    for (const seq of ring.lost) if (seq <= horizon) ring.lost.delete(seq);
  }
}
