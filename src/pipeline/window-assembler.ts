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
 * What happens to a window with a lost segment (dropped by the full queue, failed inference). 'substitute'
 * (default): the feature of the nearest segment of the same window stands in, so an overloaded backbone
 * degrades windows instead of starving them (under sustained overload drop-oldest loses segments evenly, and
 * no window would ever be complete); a window is abandoned only when all its segments are lost. 'abandon':
 * every window containing a lost segment is skipped (exact or nothing).
 */
export type LostSegmentPolicy = 'substitute' | 'abandon';

/**
 * Windows are released in the order the segmenter announced them, per camera. Retention: a feature is
 * kept while a pending window needs it or while a future window may (seq > newest seq - numSeg); windows
 * are announced before their segments reach the batcher, so no other window can need it.
 */
export class WindowAssembler {
  private readonly rings = new Map<string, CameraRing>();
  private abandonedCount = 0;
  private degradedCount = 0;

  constructor(private readonly lostSegments: LostSegmentPolicy = 'substitute') {}

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
    if (this.unusable(ring, spec)) {
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

  /**
   * Segments that will never get a feature (dropped by the queue, failed inference). Returns the windows
   * this completes (with substitutes), like addFeatures.
   */
  dropSegments(jobs: readonly SegmentJob[]): ReadyWindow[] {
    const touched = new Set<CameraRing>();
    for (const job of jobs) {
      const ring = this.rings.get(job.cameraId);
      if (ring === undefined) continue;
      ring.lost.add(job.seq);
      ring.maxSeq = Math.max(ring.maxSeq, job.seq);
      touched.add(ring);
    }
    const ready: ReadyWindow[] = [];
    for (const ring of touched) {
      const keep = ring.pending.filter((w) => !this.unusable(ring, w));
      this.abandonedCount += ring.pending.length - keep.length;
      this.replacePending(ring, keep);
      const featureDim = this.featureDimOf(ring);
      if (featureDim !== null) this.releaseReady(ring, featureDim, ready);
      this.evict(ring);
    }
    return ready;
  }

  /** Windows given up because of lost segments. */
  get abandoned(): number {
    return this.abandonedCount;
  }

  /** Windows released with a substitute for at least one lost segment. */
  get degraded(): number {
    return this.degradedCount;
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
      if (!spec.segments.every((s) => ring.features.has(s.seq) || ring.lost.has(s.seq))) break;
      ready.push(this.assemble(ring, spec, featureDim));
      released++;
    }
    if (released > 0) this.replacePending(ring, ring.pending.slice(released));
  }

  private assemble(ring: CameraRing, spec: WindowSpec, featureDim: number): ReadyWindow {
    const perWindow = spec.segments.length * ring.views;
    const out = new Float32Array(perWindow * featureDim);
    let substituted = false;
    spec.segments.forEach((s, i) => {
      const own = ring.features.get(s.seq);
      const feature = own ?? this.nearestFeature(ring, spec, i);
      substituted ||= own === undefined;
      if (feature !== undefined) out.set(feature, i * ring.views * featureDim);
    });
    if (substituted) this.degradedCount++;
    return { spec, features: out, perWindow, featureDim };
  }

  /** The feature of the segment closest to position i in the window (earlier first on ties). */
  private nearestFeature(ring: CameraRing, spec: WindowSpec, i: number): Float32Array | undefined {
    for (let d = 1; d < spec.segments.length; d++) {
      for (const j of [i - d, i + d]) {
        const seq = spec.segments[j]?.seq;
        const feature = seq === undefined ? undefined : ring.features.get(seq);
        if (feature !== undefined) return feature;
      }
    }
    return undefined;
  }

  private unusable(ring: CameraRing, spec: WindowSpec): boolean {
    return this.lostSegments === 'abandon'
      ? spec.segments.some((s) => ring.lost.has(s.seq))
      : spec.segments.every((s) => ring.lost.has(s.seq));
  }

  private featureDimOf(ring: CameraRing): number | null {
    for (const feature of ring.features.values()) return feature.length / ring.views;
    return null;
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
    for (const seq of ring.lost) if (seq <= horizon && !ring.refs.has(seq)) ring.lost.delete(seq);
  }
}
