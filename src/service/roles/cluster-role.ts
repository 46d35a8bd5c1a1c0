// What `tsn serve --role edge|infer` adds to the service (docs/scale-out.md): the cluster node (NATS, KV
// buckets, heartbeat), the infer worker (role infer), the registry-backed, lease-owned cameras and the
// remote-inference embed (role edge), the instance id stamped on predictions and events, and the data of
// GET /v1/cluster. Role all never builds one of these.
import type { Logger } from 'pino';
import { natsServers, type CameraDefaults, type CameraSpec, type Config } from '../../config/index.js';
import { ClusterNode, defaultInstanceId } from '../../cluster/cluster-node.js';
import { EpisodeLedger } from '../../cluster/episode-ledger.js';
import { InferWorker } from '../../cluster/infer-worker.js';
import { createRemoteEmbed, inferSubject, type RemoteEmbedStats } from '../../cluster/remote-embed.js';
import type { ClusterRole, InstanceInfo } from '../../cluster/membership.js';
import { RevisionWatch } from '../../cluster/revision-watch.js';
import type { PipelineInference } from '../../inference/pipeline-inference.js';
import type { EmbedFn } from '../../pipeline/inference-stages.js';
import type { ActionEvent, EpisodeEndReason } from '../../domain/index.js';
import { TsnError } from '../../errors/index.js';
import { buildConnectOptions } from '../../publish/nats/options.js';
import { readCreds } from '../../publish/nats/support.js';
import { redactUrl } from '../../sources/redact.js';
import { resolveSourceUrl, schemeOf } from '../../sources/registry.js';
import type { StartCamera } from '../camera-manager.js';
import { readSecretFile } from '../publishers.js';
import { EdgeCameras } from './edge-cameras.js';

export interface ClusterDeps {
  readonly logger: Logger;
  readonly now: () => number;
  readonly onError: (error: unknown, where: string) => void;
  /** Queue depth and calls in flight of this instance's inference, for the heartbeat. */
  readonly load: () => { queueDepth: number; inFlight: number };
  /** Aborts the wait for a first NATS server (close() during start). */
  readonly signal?: AbortSignal;
}

export interface RemoteCounters {
  remoteFrames: number;
  localFrames: number;
}

export class ClusterRuntime {
  worker: InferWorker | undefined;
  edge: EdgeCameras | undefined;
  remote: RemoteEmbedStats | undefined;
  private ledger: EpisodeLedger | undefined;
  readonly counters: RemoteCounters = { remoteFrames: 0, localFrames: 0 };
  private modelId: string | undefined;
  /** How long each lease has not been renewed, on this instance's clock. */
  private readonly leaseAges = new RevisionWatch();

  private constructor(
    readonly node: ClusterNode,
    readonly role: Exclude<ClusterRole, 'all'>,
    private readonly config: Config,
    private readonly deps: ClusterDeps,
  ) {
    // Lease ages are measured from every renewal this instance sees, not only when /v1/cluster is asked.
    node.mirrors.leases.onChange(() => this.observeLeases());
  }

  private observeLeases(): void {
    const leases = this.node.mirrors.leases.snapshot();
    this.leaseAges.observe(new Map([...leases].map(([k, e]) => [k, e.revision] as const)), this.deps.now());
  }

  /** Instances with a fresh heartbeat (for the metrics). */
  liveInstances(): number {
    return this.node.membership.live(this.deps.now()).length;
  }

  /** Connects to NATS (waits for a first server), opens the buckets, and joins the membership. */
  static async open(config: Config, deps: ClusterDeps): Promise<ClusterRuntime> {
    const role = config.cluster.role;
    if (role === 'all') throw new Error('role all runs without a cluster');
    const instanceId = config.cluster.instanceId ?? defaultInstanceId();
    // The heartbeat reads the runtime, which needs the node: the node reads it through this holder.
    const holder: { runtime?: ClusterRuntime } = {};
    const opening = ClusterNode.open({
      servers: natsServers(config.nats),
      instanceId,
      role,
      kvPrefix: config.cluster.kvPrefix,
      replicas: config.cluster.replicas,
      leaseTtlMs: config.cluster.leaseTtlMs,
      connection: buildConnectOptions({
        servers: natsServers(config.nats),
        // A NATS node that vanishes without closing the socket is noticed after two unanswered pings:
        // about one lease TTL, the time the cluster already allows an owner to be out of touch.
        pingIntervalMs: Math.max(1000, Math.floor(config.cluster.leaseTtlMs / 2)),
        ...(config.nats.user === undefined ? {} : { user: config.nats.user }),
        ...(config.nats.pass === undefined ? {} : { pass: config.nats.pass }),
        ...(config.nats.token === undefined ? {} : { token: config.nats.token }),
        ...(config.nats.nkeySeedFile === undefined
          ? {}
          : { nkeySeed: readSecretFile(config.nats.nkeySeedFile) }),
        ...(config.nats.credentialsFile === undefined
          ? {}
          : { credsContent: readCreds(config.nats.credentialsFile)! }),
        ...(config.nats.tls === undefined ? {} : { tls: definedOnly(config.nats.tls) }),
      }),
      info: () => holder.runtime!.info(),
      onError: deps.onError,
    });
    const node = await untilAborted(opening, deps.signal);
    const runtime = new ClusterRuntime(node, role, config, deps);
    holder.runtime = runtime;
    deps.logger.info({ instance: instanceId, role }, 'joined the cluster');
    return runtime;
  }

  get instanceId(): string {
    return this.node.instanceId;
  }

  /** Starts the heartbeat once the model is known (the entry names the models this instance holds). */
  async announce(modelId: string): Promise<void> {
    this.modelId = modelId;
    await this.node.startHeartbeat();
  }

  info(): InstanceInfo {
    return {
      id: this.instanceId,
      role: this.role,
      models: this.role === 'infer' && this.modelId !== undefined ? [this.modelId] : [],
      cameras: this.edge?.owned().map((c) => c.id) ?? [],
      load: this.deps.load(),
    };
  }

  /** Role infer: answers remote-inference requests for this model from the queue group. */
  startWorker(modelId: string, featureDim: number, inference: PipelineInference): void {
    if (inference.mode !== 'segment') {
      throw new TsnError(
        'E_CLUSTER_INFER_MODEL',
        `model ${modelId} is a clip model: remote inference serves per-segment TSN backbones only; run it with --role all or edge`,
        { context: { modelId } },
      );
    }
    const settings = this.config.cluster.infer;
    this.worker = new InferWorker(this.node.nc, {
      workerId: this.instanceId,
      models: new Map([
        [
          modelId,
          {
            subject: inferSubject(this.config.cluster.kvPrefix, modelId),
            embed: inference.embed,
            featureDim,
          },
        ],
      ]),
      queueGroup: `${this.config.cluster.kvPrefix}-infer`,
      maxBatch: settings.maxBatch,
      maxWaitMs: settings.maxWaitMs,
      maxQueue: settings.maxQueue,
    });
  }

  /** Role edge: segment frames go to infer workers while one holds the model, else to the local backbone. */
  edgeInference(modelId: string, inference: PipelineInference): PipelineInference {
    if (inference.mode !== 'segment' || !this.config.cluster.infer.remote) return inference;
    const remote = createRemoteEmbed(this.node.nc, {
      modelId,
      subject: inferSubject(this.config.cluster.kvPrefix, modelId),
      timeoutMs: this.config.cluster.infer.requestTimeoutMs,
      now: this.deps.now,
    });
    this.remote = remote.stats;
    const local = inference.embed;
    const embed: EmbedFn = (batch, views) => {
      if (this.hasWorker(modelId)) {
        this.counters.remoteFrames += batch.length;
        return remote.embed(batch, views);
      }
      this.counters.localFrames += batch.length;
      return local(batch, views);
    };
    return { ...inference, embed };
  }

  private hasWorker(modelId: string): boolean {
    return this.node.membership
      .live(this.deps.now())
      .some((m) => m.info.role === 'infer' && m.info.models.includes(modelId));
  }

  /** The registry in KV; role edge runs the cameras whose lease it holds, role infer only serves the API. */
  async startEdgeCameras(options: {
    defaults: CameraDefaults;
    maxCameras: number;
    startCamera: StartCamera;
    endEpisodes: (cameraId: string, reason: EpisodeEndReason) => void;
    seed: readonly CameraSpec[];
    /** Publishes an event this instance makes itself (ending a predecessor's episode). */
    publishEvent?: (event: ActionEvent) => void;
    newId?: () => string;
    /** Directories file cameras must lie in (config sources.fileRoots, resolved). */
    fileRoots: readonly string[];
  }): Promise<EdgeCameras> {
    const runsCameras = this.role === 'edge';
    const { publishEvent, newId } = options;
    const ledger =
      runsCameras && publishEvent !== undefined && newId !== undefined
        ? new EpisodeLedger({
            kv: this.node.buckets.episodes,
            self: this.instanceId,
            now: this.deps.now,
            newId,
            publish: (event) => publishEvent(event),
            onError: this.deps.onError,
          })
        : undefined;
    this.ledger = ledger;
    const edge = new EdgeCameras({
      node: this.node,
      leaseTtlMs: this.config.cluster.leaseTtlMs,
      defaults: options.defaults,
      maxCameras: options.maxCameras,
      startCamera: options.startCamera,
      endEpisodes: options.endEpisodes,
      now: this.deps.now,
      logger: this.deps.logger.child({ component: 'cluster' }),
      onError: this.deps.onError,
      runsCameras,
      checkUrl: (url) => checkRemoteUrl(url, options.fileRoots),
      ...(ledger === undefined
        ? {}
        : { onStarted: (id: string) => void ledger.adopt(id), episodesEnded: () => ledger.flushed() }),
    });
    if (runsCameras) this.edge = edge;
    await edge.start(options.seed);
    return edge;
  }

  /** Every event this edge publishes: the ledger keeps its cameras' open episodes in KV. */
  noteEvent(event: ActionEvent): void {
    this.ledger?.note(event);
  }

  /** The instance id on what this instance publishes. */
  stamp<T extends object>(value: T): T & { instance: string } {
    return { ...value, instance: this.instanceId };
  }

  /** GET /v1/cluster: every live instance, and the cameras with their owners and lease ages. */
  view(): ClusterView {
    const nowMs = this.deps.now();
    const leases = this.node.mirrors.leases.snapshot();
    this.observeLeases();
    const cameras = [...this.node.mirrors.cameras.snapshot()].map(([id, entry]) => {
      const lease = leases.get(id);
      const spec = parseJson(entry.value) as { url?: unknown; enabled?: unknown } | undefined;
      return {
        id,
        url: typeof spec?.url === 'string' ? redactUrl(spec.url) : null,
        enabled: spec?.enabled !== false,
        owner: lease === undefined ? null : new TextDecoder().decode(lease.value),
        leaseAgeMs: this.leaseAges.ageMs(id, nowMs) ?? null,
      };
    });
    return {
      self: this.instanceId,
      role: this.role,
      leaseTtlMs: this.config.cluster.leaseTtlMs,
      instances: this.node.membership.live(nowMs).map((m) => ({ ...m.info, heartbeatAgeMs: m.ageMs })),
      cameras,
    };
  }

  async close(): Promise<void> {
    await this.ledger?.flushed();
    await this.node.leave();
    await this.worker?.close();
    await this.node.close();
  }
}

export interface ClusterView {
  readonly self: string;
  readonly role: string;
  readonly leaseTtlMs: number;
  readonly instances: readonly (InstanceInfo & { heartbeatAgeMs: number })[];
  readonly cameras: readonly {
    id: string;
    url: string | null;
    enabled: boolean;
    owner: string | null;
    leaseAgeMs: number | null;
  }[];
}

/** The opened node, or a rejection once the signal aborts (a node that opens later is closed at once). */
async function untilAborted(
  opening: Promise<ClusterNode>,
  signal: AbortSignal | undefined,
): Promise<ClusterNode> {
  if (signal === undefined) return opening;
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason ?? new Error('aborted'));
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([opening, aborted]);
  } catch (error) {
    void opening.then((late) => late.close()).catch(() => undefined);
    throw error;
  } finally {
    if (onAbort !== undefined) signal.removeEventListener('abort', onAbort);
  }
}

/**
 * The URL checks that hold on every instance: scheme and authority. A file (plain path, file://, sim://
 * with a file) is checked by the edge that runs the camera: it may exist only on that machine.
 */
function checkRemoteUrl(url: string, fileRoots: readonly string[]): void {
  const scheme = schemeOf(url);
  if (scheme === '' || scheme === 'file' || scheme === 'sim') return;
  resolveSourceUrl(url, { fileRoots });
}

/** The keys whose value is set (optional keys are left out, not passed as undefined). */
function definedOnly(record: Readonly<Record<string, string | undefined>>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(record).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}

function parseJson(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return undefined;
  }
}
