// One instance's place in the cluster: the NATS connection, the three KV buckets (camera registry, leases,
// membership) mirrored locally, and the membership heartbeat. Roles build on it (src/service/roles/).
import { hostname } from 'node:os';
import { connect, type ConnectionOptions, type KV, type NatsConnection } from 'nats';
import { KvMirror } from './kv-mirror.js';
import { Membership, type ClusterRole, type InstanceInfo } from './membership.js';

export interface ClusterNodeOptions {
  readonly servers: readonly string[];
  readonly instanceId: string;
  readonly role: ClusterRole;
  readonly kvPrefix: string;
  readonly replicas: number;
  readonly leaseTtlMs: number;
  /** Authentication and TLS passed through to nats.js. */
  readonly auth?: Pick<ConnectionOptions, 'user' | 'pass' | 'token' | 'tls' | 'authenticator'>;
  /** Called on every heartbeat: what this instance tells the others. */
  readonly info: () => InstanceInfo;
  readonly onError: (error: unknown, what: string) => void;
}

export interface ClusterBuckets {
  readonly cameras: KV;
  readonly leases: KV;
  readonly instances: KV;
}

/** Default instance id: the host name (a pod name in Kubernetes) and the process id. */
export function defaultInstanceId(): string {
  return `${hostname()}-${process.pid}`.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 64);
}

export function bucketNames(kvPrefix: string): { cameras: string; leases: string; instances: string } {
  return { cameras: `${kvPrefix}_cameras`, leases: `${kvPrefix}_leases`, instances: `${kvPrefix}_instances` };
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
      servers: [...options.servers],
      name: `tsn-${options.role}-${options.instanceId}`,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
      waitOnFirstConnect: true,
      ...options.auth,
    });
    try {
      const js = nc.jetstream();
      const names = bucketNames(options.kvPrefix);
      const open = (name: string, history: number) =>
        js.views.kv(name, { history, replicas: options.replicas });
      const buckets = {
        cameras: await open(names.cameras, 5),
        leases: await open(names.leases, 1),
        instances: await open(names.instances, 1),
      };
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

  /** Beats now and every leaseTtlMs / 3. */
  async startHeartbeat(): Promise<void> {
    await this.beat();
    this.heartbeat = setInterval(() => void this.beat(), Math.max(100, this.options.leaseTtlMs / 3));
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
