// Plain counters, gauges and histogram samples; the service maps them onto prom-client. Cheap on purpose:
// increments and array pushes, no labels objects, no clock.
import { emptySegmenterStats, type SegmenterStats } from './segmenter.js';

export interface CameraCounters extends SegmenterStats {
  /** Segment frames the bounded queue dropped for this camera. */
  queueDrops: number;
  /** Segment frames whose inference call failed. */
  inferenceFailures: number;
  predictions: number;
  events: number;
}

export interface PipelineMetricsSnapshot {
  readonly cameras: Readonly<Record<string, Readonly<CameraCounters>>>;
  /** Gauges. */
  readonly queueDepth: number;
  readonly inFlight: number;
  readonly pendingWindows: number;
  readonly heldFeatures: number;
  /** Counters. */
  readonly batches: number;
  readonly batchItems: number;
  readonly inferenceErrors: number;
  readonly headCalls: number;
  readonly headErrors: number;
  /** Windows lost because the head queue was full. */
  readonly headDropped: number;
  readonly windowsAbandoned: number;
  /** Windows built with a neighbour's feature standing in for a lost segment. */
  readonly windowsDegraded: number;
  /** Histogram observations not yet taken by drainSamples(). */
  readonly pendingSamples: number;
}

/** Observations since the last drain; each list holds at most SampleBuffer.capacity values (newest kept). */
export interface PipelineSamples {
  readonly batchSize: number[];
  readonly inferenceMs: number[];
  readonly headMs: number[];
  /** From the window's last frame (wall clock) to its prediction being emitted. */
  readonly latencyMs: number[];
  /** Observations discarded because nobody drained in time. */
  readonly discarded: number;
}

export function emptyCameraCounters(): CameraCounters {
  return {
    ...emptySegmenterStats(),
    queueDrops: 0,
    inferenceFailures: 0,
    predictions: 0,
    events: 0,
  };
}

/** Bounded buffers of histogram observations, emptied by drain(). */
export class SampleBuffer {
  private batchSize: number[] = [];
  private inferenceMs: number[] = [];
  private headMs: number[] = [];
  private latencyMs: number[] = [];
  private discarded = 0;

  constructor(readonly capacity = 4096) {}

  observeBatchSize(value: number): void {
    this.push(this.batchSize, value);
  }

  observeInferenceMs(value: number): void {
    this.push(this.inferenceMs, value);
  }

  observeHeadMs(value: number): void {
    this.push(this.headMs, value);
  }

  observeLatencyMs(value: number): void {
    this.push(this.latencyMs, value);
  }

  get pending(): number {
    return this.batchSize.length + this.inferenceMs.length + this.headMs.length + this.latencyMs.length;
  }

  drain(): PipelineSamples {
    const out: PipelineSamples = {
      batchSize: this.batchSize,
      inferenceMs: this.inferenceMs,
      headMs: this.headMs,
      latencyMs: this.latencyMs,
      discarded: this.discarded,
    };
    this.batchSize = [];
    this.inferenceMs = [];
    this.headMs = [];
    this.latencyMs = [];
    this.discarded = 0;
    return out;
  }

  private push(list: number[], value: number): void {
    if (list.length >= this.capacity) {
      list.shift();
      this.discarded++;
    }
    list.push(value);
  }
}
