// Scale-out: leases, registry, remote inference.
export const clusterErrorCodes = [
  'E_CLUSTER_WIRE',
  'E_CLUSTER_INFER_TIMEOUT',
  'E_CLUSTER_INFER_MODEL',
  'E_CLUSTER_INFER_OVERLOAD',
  'E_CLUSTER_INFER_FAILED',
] as const;
