// Prometheus metrics: everything is read from the parts' own plain counters at scrape time (the pipeline
// snapshot, its drained histogram samples, the publishers' stats), so the hot path never touches prom-client.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { CameraManager } from '../api/index.js';
import type { PipelineMetricsSnapshot, PipelineSamples } from '../pipeline/metrics.js';

export type Labels = Record<string, string>;
export type Series = readonly (readonly [Labels, number])[];

export interface MetricsSources {
  /** undefined until the model is loaded. */
  readonly pipeline: () => PipelineMetricsSnapshot | undefined;
  readonly drainSamples: () => PipelineSamples | undefined;
  readonly cameras: CameraManager;
  readonly nats?: () => {
    connected: boolean;
    buffered: number;
    dropped: number;
    published: number;
    publishFailures: number;
  };
  readonly webSocket?: () => { clients: number; messagesSent: number; slowConsumerDisconnects: number };
  /** Errors the service survived (pipeline errors$, throwing publishers, unhandled stream errors), by code. */
  readonly errors?: () => readonly (readonly [code: string, count: number])[];
}

const cameraCounters = [
  ['framesIn', 'tsn_camera_frames_total', 'Frames received from the camera source'],
  ['framesLate', 'tsn_camera_frames_late_total', 'Frames older than the current segment, ignored'],
  ['segments', 'tsn_camera_segments_total', 'Segments completed'],
  ['segmentsMissing', 'tsn_camera_segments_missing_total', 'Segments that received no frame'],
  ['windows', 'tsn_camera_windows_total', 'Windows formed'],
  ['gaps', 'tsn_camera_gaps_total', 'Stream pauses that restarted the window ring'],
  ['queueDrops', 'tsn_camera_queue_drops_total', 'Segment frames dropped by the full inference queue'],
  ['inferenceFailures', 'tsn_camera_inference_failures_total', 'Segment frames whose inference failed'],
  ['predictions', 'tsn_camera_predictions_total', 'Window predictions'],
  ['events', 'tsn_camera_events_total', 'Action events (started + ended)'],
] as const;

const decodeGateCounters = [
  [
    'decodeUnitsDropped',
    'tsn_camera_decode_units_dropped_total',
    'Access units no pick needed, never decoded',
  ],
  [
    'decodeMissedPicks',
    'tsn_camera_decode_missed_picks_total',
    'Picks that showed an older picture (a keyframe came later than its rhythm)',
  ],
] as const;

const pipelineCounters = [
  ['batches', 'tsn_batches_total', 'Backbone calls'],
  ['batchItems', 'tsn_batch_items_total', 'Segment frames sent to the backbone'],
  ['inferenceErrors', 'tsn_inference_errors_total', 'Failed backbone calls'],
  ['headCalls', 'tsn_head_calls_total', 'Head (fc) calls'],
  ['headErrors', 'tsn_head_errors_total', 'Failed head calls'],
  ['headDropped', 'tsn_head_dropped_total', 'Windows lost because the head queue was full'],
  ['windowsAbandoned', 'tsn_windows_abandoned_total', 'Windows dropped because a segment feature was lost'],
  [
    'windowsDegraded',
    'tsn_windows_degraded_total',
    "Windows built with a neighbour's feature for a lost segment",
  ],
] as const;

const pipelineGauges = [
  ['queueDepth', 'tsn_queue_depth', 'Segment frames waiting for the backbone'],
  ['inFlight', 'tsn_inference_in_flight', 'Backbone calls running'],
  ['pendingWindows', 'tsn_pending_windows', 'Windows waiting for features'],
  ['heldFeatures', 'tsn_held_features', 'Segment features kept for upcoming windows'],
] as const;

export function createMetricsRegistry(sources: MetricsSources): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'tsn_process_' });
  const snapshot = cachedPerScrape(sources.pipeline);
  for (const [key, name, help] of cameraCounters) {
    counter(registry, name, help, ['camera'], () =>
      Object.entries(snapshot()?.cameras ?? {}).map(([camera, c]) => [{ camera }, c[key]] as const),
    );
  }
  const total = (read: (s: PipelineMetricsSnapshot) => number): Series => {
    const s = snapshot();
    return s === undefined ? [] : [[{}, read(s)]];
  };
  for (const [key, name, help] of pipelineCounters)
    counter(registry, name, help, [], () => total((s) => s[key]));
  for (const [key, name, help] of pipelineGauges) gauge(registry, name, help, [], () => total((s) => s[key]));
  gauge(registry, 'tsn_camera_fps', 'Frames per second delivered by the source', ['camera'], () =>
    sources.cameras.list().map((v) => [{ camera: v.spec.id }, v.fps] as const),
  );
  gauge(
    registry,
    'tsn_camera_state',
    'Current camera state (1 for the state the camera is in)',
    ['camera', 'state'],
    () => sources.cameras.list().map((v) => [{ camera: v.spec.id, state: v.status.state }, 1] as const),
  );
  // decode: picked cameras only (their API counters): what the decode gate kept from the decoder.
  for (const [key, name, help] of decodeGateCounters) {
    counter(registry, name, help, ['camera'], () =>
      sources.cameras.list().flatMap((v) => {
        const value = v.counters[key];
        return value === undefined ? [] : [[{ camera: v.spec.id }, value] as const];
      }),
    );
  }
  const errors = sources.errors;
  if (errors !== undefined) {
    counter(registry, 'tsn_errors_total', 'Errors the service logged and survived, by code', ['code'], () =>
      errors().map(([code, count]) => [{ code }, count] as const),
    );
  }
  registerHistograms(registry, sources.drainSamples);
  registerPublisherMetrics(registry, sources);
  return registry;
}

function registerHistograms(registry: Registry, drain: () => PipelineSamples | undefined): void {
  const seconds = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
  new Histogram({
    name: 'tsn_latency_seconds',
    help: "From a window's last frame (wall clock) to its prediction",
    buckets: seconds,
    registers: [registry],
    // Registered first, so its collect drains every buffer before the other histograms are read.
    collect() {
      const samples = drain();
      if (samples === undefined) return;
      for (const v of samples.batchSize) batchSize.observe(v);
      for (const v of samples.inferenceMs) inference.observe(v / 1000);
      for (const v of samples.headMs) head.observe(v / 1000);
      for (const v of samples.latencyMs) this.observe(v / 1000);
      if (samples.discarded > 0) discarded.inc(samples.discarded);
    },
  });
  const batchSize = new Histogram({
    name: 'tsn_batch_size',
    help: 'Segment frames per backbone call',
    buckets: [1, 2, 4, 8, 16, 32, 64],
    registers: [registry],
  });
  const inference = new Histogram({
    name: 'tsn_inference_seconds',
    help: 'Backbone call duration',
    buckets: seconds,
    registers: [registry],
  });
  const head = new Histogram({
    name: 'tsn_head_seconds',
    help: 'Head call duration',
    buckets: seconds,
    registers: [registry],
  });
  const discarded = new Counter({
    name: 'tsn_metric_samples_discarded_total',
    help: 'Histogram samples lost between scrapes',
    registers: [registry],
  });
}

/** The publishers' series, registered once they exist (they need the HTTP server that serves /metrics). */
export function registerPublisherMetrics(
  registry: Registry,
  sources: Pick<MetricsSources, 'nats' | 'webSocket'>,
): void {
  const nats = sources.nats;
  if (nats !== undefined) {
    gauge(registry, 'tsn_nats_connected', '1 while connected to NATS', [], () => [
      [{}, nats().connected ? 1 : 0],
    ]);
    gauge(registry, 'tsn_nats_buffered', 'Messages waiting for NATS', [], () => [[{}, nats().buffered]]);
    counter(registry, 'tsn_nats_published_total', 'Messages published to NATS', [], () => [
      [{}, nats().published],
    ]);
    counter(registry, 'tsn_nats_dropped_total', 'Messages dropped from the full NATS buffer', [], () => [
      [{}, nats().dropped],
    ]);
    counter(registry, 'tsn_nats_publish_failures_total', 'Failed NATS publishes', [], () => [
      [{}, nats().publishFailures],
    ]);
  }
  const ws = sources.webSocket;
  if (ws !== undefined) {
    gauge(registry, 'tsn_websocket_clients', 'Connected WebSocket subscribers', [], () => [
      [{}, ws().clients],
    ]);
    counter(
      registry,
      'tsn_websocket_messages_sent_total',
      'Messages sent to WebSocket subscribers',
      [],
      () => [[{}, ws().messagesSent]],
    );
    counter(
      registry,
      'tsn_websocket_slow_disconnects_total',
      'Subscribers cut off for falling behind',
      [],
      () => [[{}, ws().slowConsumerDisconnects]],
    );
  }
}

export function counter(
  registry: Registry,
  name: string,
  help: string,
  labelNames: string[],
  read: () => Series,
): void {
  new Counter({
    name,
    help,
    labelNames,
    registers: [registry],
    collect() {
      this.reset();
      for (const [labels, value] of read()) this.inc(labels, value);
    },
  });
}

export function gauge(
  registry: Registry,
  name: string,
  help: string,
  labelNames: string[],
  read: () => Series,
): void {
  new Gauge({
    name,
    help,
    labelNames,
    registers: [registry],
    collect() {
      this.reset();
      for (const [labels, value] of read()) this.set(labels, value);
    },
  });
}

/** One pipeline snapshot per scrape rather than one per metric: collects of a scrape run in one tick. */
function cachedPerScrape<T>(read: () => T): () => T {
  let value: T | undefined;
  let scheduled = false;
  return () => {
    if (!scheduled) {
      value = read();
      scheduled = true;
      queueMicrotask(() => (scheduled = false));
    }
    return value as T;
  };
}
