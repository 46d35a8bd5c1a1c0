// Scale-out: leases, registry, remote inference. Internal to the cluster (no HTTP status): a failed
// remote inference reaches the pipeline's lost-segment policy, never an API client.
import type { ErrorCatalog } from './catalog.js';

export const clusterErrors = {
  /** A remote-inference message that does not parse (edge and worker run different releases). */
  E_CLUSTER_WIRE: {},
  /** The cluster's KV buckets could not be opened (JetStream off, no quorum, or still electing a leader). */
  E_CLUSTER_KV: {},
  /** A KV watcher fell behind the bucket (its NATS node went away) and was resumed, or could not be. */
  E_CLUSTER_WATCH: {},
  /** No inference worker answered in time, after one retry. */
  E_CLUSTER_INFER_TIMEOUT: {},
  /** A request named a model the worker does not hold. */
  E_CLUSTER_INFER_MODEL: {},
  /** The worker's queue was full; the request was refused at once. */
  E_CLUSTER_INFER_OVERLOAD: {},
  /** The worker's backbone call failed. */
  E_CLUSTER_INFER_FAILED: {},
} as const satisfies ErrorCatalog;
