// The per-instance cluster metrics, registered on every instance; role all has none to report.
import { Histogram, type Registry } from 'prom-client';
import { counter, gauge } from '../metrics.js';
import type { ClusterRuntime } from './cluster-role.js';

export function registerClusterMetrics(registry: Registry, cluster: () => ClusterRuntime | undefined): void {
  const withInstance = (read: (c: ClusterRuntime) => number | undefined) => () => {
    const c = cluster();
    const value = c === undefined ? undefined : read(c);
    return c === undefined || value === undefined ? [] : ([[{ instance: c.instanceId }, value]] as const);
  };
  const labels = ['instance'];
  gauge(
    registry,
    'tsn_cluster_leases_held',
    'Camera leases this edge holds',
    labels,
    withInstance((c) => c.edge?.owned().length),
  );
  counter(
    registry,
    'tsn_cluster_handovers_total',
    'Cameras this edge stopped because another edge takes them',
    labels,
    withInstance((c) => c.edge?.handovers),
  );
  gauge(
    registry,
    'tsn_cluster_live_instances',
    'Instances with a fresh heartbeat',
    labels,
    withInstance((c) => c.liveInstances()),
  );
  counter(
    registry,
    'tsn_cluster_heartbeat_failures_total',
    'Heartbeats the KV refused',
    labels,
    withInstance((c) => c.node.beatFailures),
  );
  counter(
    registry,
    'tsn_cluster_watch_restarts_total',
    'KV watchers resumed because they fell behind the bucket (their NATS node went away)',
    labels,
    withInstance((c) => c.node.watchRestarts),
  );
  counter(
    registry,
    'tsn_remote_frames_total',
    'Segment frames sent to infer workers',
    labels,
    withInstance((c) => (c.remote === undefined ? undefined : c.counters.remoteFrames)),
  );
  counter(
    registry,
    'tsn_local_frames_total',
    'Segment frames an edge inferred itself (no worker held the model)',
    labels,
    withInstance((c) => (c.remote === undefined ? undefined : c.counters.localFrames)),
  );
  counter(
    registry,
    'tsn_remote_requests_total',
    'Remote-inference requests sent',
    labels,
    withInstance((c) => c.remote?.requests),
  );
  counter(
    registry,
    'tsn_remote_retries_total',
    'Remote-inference requests retried',
    labels,
    withInstance((c) => c.remote?.retries),
  );
  counter(
    registry,
    'tsn_remote_failures_total',
    'Remote-inference requests lost after the retry',
    labels,
    withInstance((c) => c.remote?.failures),
  );
  counter(
    registry,
    'tsn_remote_bytes_sent_total',
    'Remote-inference request bytes',
    labels,
    withInstance((c) => c.remote?.bytesOut),
  );
  counter(
    registry,
    'tsn_remote_bytes_received_total',
    'Remote-inference reply bytes',
    labels,
    withInstance((c) => c.remote?.bytesIn),
  );
  new Histogram({
    name: 'tsn_remote_round_trip_seconds',
    help: 'Remote-inference request to reply',
    labelNames: labels,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
    collect() {
      const c = cluster();
      if (c?.remote === undefined) return;
      for (const ms of c.remote.roundTripsMs.splice(0)) this.observe({ instance: c.instanceId }, ms / 1000);
    },
  });
  const worker = (
    key: 'requests' | 'frames' | 'batches' | 'refused' | 'failed' | 'expired' | 'bytesIn' | 'bytesOut',
  ) => withInstance((c) => c.worker?.stats[key]);
  counter(
    registry,
    'tsn_infer_requests_total',
    'Requests this infer worker received',
    labels,
    worker('requests'),
  );
  counter(registry, 'tsn_infer_frames_total', 'Frames this infer worker embedded', labels, worker('frames'));
  counter(
    registry,
    'tsn_infer_batches_total',
    'Backbone calls of this infer worker',
    labels,
    worker('batches'),
  );
  counter(
    registry,
    'tsn_infer_refused_total',
    'Requests refused (overload, wrong model, bad wire)',
    labels,
    worker('refused'),
  );
  counter(registry, 'tsn_infer_failed_total', 'Batches whose backbone call failed', labels, worker('failed'));
  counter(
    registry,
    'tsn_infer_expired_total',
    'Requests dropped unanswered: queued longer than their edge waits',
    labels,
    worker('expired'),
  );
  counter(
    registry,
    'tsn_infer_bytes_received_total',
    'Request bytes this worker received',
    labels,
    worker('bytesIn'),
  );
  counter(registry, 'tsn_infer_bytes_sent_total', 'Reply bytes this worker sent', labels, worker('bytesOut'));
}
