// Scale-out (docs/scale-out.md): which role this process plays and how it takes part in the cluster. The
// NATS connection itself comes from the `nats` section (nats.url or nats.servers).
import { z } from 'zod';
import { positiveTimerMs } from './limits.js';

export const CLUSTER_ROLES = ['all', 'edge', 'infer'] as const;
export type ClusterRoleName = (typeof CLUSTER_ROLES)[number];

const name = () => z.string().regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ and - only');

export const clusterSchema = z
  .strictObject({
    role: z
      .enum(CLUSTER_ROLES)
      .default('all')
      .describe(
        'all: one process does everything (no NATS needed); edge: owns cameras through leases; ' +
          'infer: runs the backbone for the edges (needs nats.url or nats.servers).',
      ),
    instanceId: name()
      .max(64)
      .optional()
      .describe('This instance in the cluster (leases, /v1/cluster, predictions). Absent: hostname-pid.'),
    leaseTtlMs: positiveTimerMs()
      .min(1000, 'at least 1000 ms (leases are renewed every third of it)')
      .default(10_000)
      .describe('A camera lease or heartbeat not renewed for this long is expired; its cameras move.'),
    kvPrefix: name()
      .max(32)
      .default('tsn')
      .describe(
        'JetStream KV buckets <kvPrefix>_cameras, <kvPrefix>_leases, <kvPrefix>_instances and the ' +
          'remote-inference subjects <kvPrefix>.infer.<model id>.',
      ),
    replicas: z
      .number()
      .int()
      .min(1)
      .max(5)
      .default(1)
      .describe('KV bucket replicas (3 on a 3-node NATS cluster, so a node can die).'),
    infer: z
      .strictObject({
        remote: z
          .boolean()
          .default(true)
          .describe('edge: send segment frames to infer workers whenever one holds the model.'),
        maxBatch: z.number().int().positive().max(256).default(16).describe('infer: frames per batch.'),
        maxWaitMs: z
          .number()
          .int()
          .nonnegative()
          .max(60_000)
          .default(20)
          .describe('infer: longest a request waits for a fuller batch.'),
        maxQueue: z
          .number()
          .int()
          .positive()
          .default(64)
          .describe('infer: requests waiting; beyond, the oldest is refused at once.'),
        requestTimeoutMs: positiveTimerMs()
          .default(5000)
          .describe('edge: a remote request not answered within this is retried once, then lost.'),
      })
      .prefault({}),
  })
  .prefault({});

export type ClusterConfig = z.output<typeof clusterSchema>;
