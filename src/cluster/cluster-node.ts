// One instance's place in the cluster: the NATS connection, the three KV buckets (camera registry, leases,
// membership) mirrored locally, and the membership heartbeat. Roles build on it (src/service/roles/).
import { hostname } from 'node:os';
import { connect, type ConnectionOptions, type KV, type NatsConnection } from 'nats';
import { TsnError } from '../errors/index.js';
import { KvMirror } from './kv-mirror.js';
import { Membership, type ClusterRole, type InstanceInfo } from './membership.js';

export interface ClusterNodeOptions {
  readonly servers: readonly string[];
  readonly instanceId: string;
  readonly role: ClusterRole;
  readonly kvPrefix: string;
  readonly replicas: number;
  readonly leaseTtlMs: number;
  /** Authentication and TLS for nats.js (the publisher's builder: buildConnectOptions). */
  readonly connection?: ConnectionOptions;
  /** Called on every heartbeat: what this instance tells the others. */
  readonly info: () => InstanceInfo;
  readonly onError: (error: unknown, what: string) => void;
}

export interface ClusterBuckets {
  readonly cameras: KV;
  readonly leases: KV;
  readonly instances: KV;
  /** Open episodes per camera (episode-ledger.ts); not mirrored, read when a camera changes owner. */
  readonly episodes: KV;
}

/** Attempts at opening the buckets; a NATS cluster that is starting elects its JetStream leader first. */
const OPEN_ATTEMPTS = 30;
const OPEN_RETRY_MS = 1000;

async function openBuckets(nc: NatsConnection, options: ClusterNodeOptions): Promise<ClusterBuckets> {
  const js = nc.jetstream();
  const names = bucketNames(options.kvPrefix);
  const open = (name: string, history: number) => js.views.kv(name, { history, replicas: options.replicas });
  for (let attempt = 1; ; attempt++) {
    try {
      return {
        cameras: await open(names.cameras, 5),
        leases: await open(names.leases, 1),
        instances: await open(names.instances, 1),
        episodes: await open(names.episodes, 1),
      };
    } catch (cause) {
      if (attempt >= OPEN_ATTEMPTS) {
        throw new TsnError(
          'E_CLUSTER_KV',
          `cannot open the cluster's JetStream KV buckets (${Object.values(names).join(', ')}) after ${attempt} attempts: ${(cause as Error).message}; check that JetStream is enabled on every NATS node (-js) and that cluster.replicas does not exceed the nodes`,
          { cause, context: { kvPrefix: options.kvPrefix, replicas: options.replicas } },
        );
      }
      options.onError(cause, 'cluster:open-buckets');
      await new Promise((resolve) => setTimeout(resolve, OPEN_RETRY_MS));
    }
  }
}

function watchError(bucket: string, what: string, cause?: unknown): TsnError {
  return new TsnError(
    'E_CLUSTER_WATCH',
    `the ${bucket} KV watcher ${what}${cause instanceof Error ? `: ${cause.message}` : ''}; a NATS node may have gone away (the watcher is resumed on the next heartbeat)`,
    { cause, context: { bucket } },
  );
}

/** Default instance id: the host name (a pod name in Kubernetes) and the process id. */
export function defaultInstanceId(): string {
  return `${hostname()}-${process.pid}`.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 64);
}

export function bucketNames(kvPrefix: string): {
  cameras: string;
  leases: string;
  instances: string;
  episodes: string;
} {
  return {
    cameras: `${kvPrefix}_cameras`,
    leases: `${kvPrefix}_leases`,
    instances: `${kvPrefix}_instances`,
    episodes: `${kvPrefix}_episodes`,
  };
}

export class ClusterNode {
  readonly mirrors: { readonly cameras: KvMirror; readonly leases: KvMirror; readonly instances: KvMirror };
  readonly membership: Membership;
  private heartbeat: NodeJS.Timeout | undefined;
  beats = 0;
  beatFailures = 0;

  private constructor(
    readonly nc: NatsConnection,
    readonly buckets: ClusterBuckets,
    private readonly options: ClusterNodeOptions,
  ) {
    this.mirrors = {
      cameras: new KvMirror(buckets.cameras),
      leases: new KvMirror(buckets.leases),
      instances: new KvMirror(buckets.instances),
    };
    this.membership = new Membership(buckets.instances, this.mirrors.instances, options.leaseTtlMs);
  }

  /** Connects (waiting for a first server), opens the buckets and mirrors them. */
  static async open(options: ClusterNodeOptions): Promise<ClusterNode> {
    const nc = await connect({
      ...options.connection,
      servers: [...options.servers],
      name: `tsn-${options.role}-${options.instanceId}`,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
      // Nothing works without the cluster: wait for a first server (close() during start aborts the wait).
      waitOnFirstConnect: true,
    });
    try {
      const buckets = await openBuckets(nc, options);
      const node = new ClusterNode(nc, buckets, options);
      await Promise.all(Object.values(node.mirrors).map((m) => m.start()));
      return node;
    } catch (error) {
      await nc.close();
      throw error;
    }
  }

  get instanceId(): string {
    return this.options.instanceId;
  }

  /** Beats now and every leaseTtlMs / 3; each beat also checks that the mirrors keep up (KvMirror.verify). */
  async startHeartbeat(): Promise<void> {
    await this.beat();
    this.heartbeat = setInterval(
      () => {
        void this.beat();
        void this.verifyMirrors();
      },
      Math.max(100, this.options.leaseTtlMs / 3),
    );
  }

  /** Watchers replaced because their NATS node went away (or they ended). */
  get watchRestarts(): number {
    return Object.values(this.mirrors).reduce((sum, m) => sum + m.restarts, 0);
  }

  private async verifyMirrors(): Promise<void> {
    await Promise.all(
      Object.entries(this.mirrors).map(([bucket, mirror]) =>
        mirror.verify().then(
          (resumed) =>
            resumed && this.options.onError(watchError(bucket, 'fell behind; resumed'), 'cluster:watch'),
          (cause: unknown) =>
            this.options.onError(watchError(bucket, 'cannot be checked', cause), 'cluster:watch'),
        ),
      ),
    );
  }

  private async beat(): Promise<void> {
    try {
      await this.membership.beat(this.options.info());
      this.beats++;
    } catch (error) {
      this.beatFailures++;
      this.options.onError(error, 'cluster:heartbeat');
    }
  }

  /** Stops the heartbeat and deletes this instance's entry: the others stop counting on it at once. */
  async leave(): Promise<void> {
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
    if (!this.nc.isClosed()) {
      await this.membership.leave(this.options.instanceId).catch(() => undefined);
    }
  }

  /** Leaves the membership and closes the connection. */
  async close(): Promise<void> {
    await this.leave();
    await Promise.all(Object.values(this.mirrors).map((m) => m.close()));
    if (!this.nc.isClosed()) await this.nc.drain().catch(() => this.nc.close());
  }
}
