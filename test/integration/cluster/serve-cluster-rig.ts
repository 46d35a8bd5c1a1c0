// The parts of the scale-out test (serve-cluster.test.ts) that are not its story: the cluster config, the
// `tsn serve` instances and what they report, the ACTIONS stream's event ids, and how long a camera was
// published by two edges at once.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NatsConnection } from 'nats';
import { waitFor } from '../../helpers/wait.js';
import { startServe, type Serve } from '../service/serve-process.js';

export type Role = 'edge' | 'infer';

export interface Instance {
  readonly id: string;
  readonly role: Role;
  readonly serve: Serve;
  url?: string | undefined;
}

export interface Seen {
  readonly camera: string;
  readonly instance: string;
  readonly atMs: number;
}

export interface SeenEvent {
  readonly id: string;
  readonly episodeId: string;
  readonly type: string;
  readonly camera: string;
  readonly instance?: string;
  readonly endReason?: string;
}

interface ClusterView {
  readonly instances: { id: string; role: string; cameras: string[] }[];
  readonly cameras: { id: string; owner: string | null; url: string | null }[];
}

export interface ClusterConfigOptions {
  readonly file: string;
  readonly modelDir: string;
  readonly nats: readonly string[];
  readonly leaseTtlMs: number;
  readonly cameras: readonly string[];
  /** What every camera replays (sim://<id>?file=...). */
  readonly clip: string;
}

export function writeClusterConfig(o: ClusterConfigOptions): string {
  const firstLabel = readFileSync(join(o.modelDir, 'labels.txt'), 'utf8').split('\n')[0] ?? '';
  writeFileSync(
    o.file,
    [
      'server: { host: 127.0.0.1, port: 0 }',
      `model: { dir: '${o.modelDir}' }`,
      `nats: { servers: [${o.nats.map((u) => `'${u}'`).join(', ')}], jetstream: { replicas: 3 } }`,
      `cluster: { leaseTtlMs: ${o.leaseTtlMs}, replicas: 3, infer: { requestTimeoutMs: 10000 } }`,
      'defaults:',
      // Cheap cameras, quick to predict after a (re)start: one 1-segment window a second.
      '  windowMs: 1000',
      '  numSeg: 1',
      '  sampleFps: 2',
      '  publishPredictions: true',
      // One episode per camera that starts at once and never ends by score: a handover must end it.
      `  detector: { smoothing: 1, onThreshold: 0.001, offThreshold: 0, minWindowsOn: 1, minWindowsOff: 1, labels: { allow: ['${firstLabel}'] } }`,
      'cameras:',
      ...o.cameras.map((id) => `  - { id: ${id}, url: 'sim://${id}?file=${o.clip}' }`),
      'logLevel: info',
    ].join('\n'),
  );
  return o.file;
}

/** The `tsn serve` processes of one cluster, started with an instance id each. */
export class ServeInstances {
  readonly all: Instance[] = [];
  /** The last ownership() answer, as JSON (for timeout messages). */
  lastOwnership = '';

  start(id: string, role: Role, config: string): Instance {
    const instance: Instance = {
      id,
      role,
      serve: startServe(['--config', config, '--role', role], { TSN_CLUSTER__INSTANCE_ID: id }),
    };
    this.all.push(instance);
    return instance;
  }

  alive(role?: Role): Instance[] {
    return this.all.filter(
      (i) =>
        i.serve.child.exitCode === null &&
        i.serve.child.signalCode === null &&
        (role === undefined || i.role === role),
    );
  }

  listening(i: Instance): Promise<string> {
    return waitFor(
      `${i.id} listening`,
      () => {
        if (i.serve.child.exitCode !== null) throw new Error(`${i.id} exited:\n${i.serve.stderr()}`);
        return (i.url = i.serve.logs.find((l) => l.msg === 'listening')?.url as string | undefined);
      },
      60_000,
    );
  }

  async clusterView(i: Instance): Promise<ClusterView> {
    return (await (await fetch(`${i.url}/v1/cluster`)).json()) as ClusterView;
  }

  /** camera -> the edges that say they run it (each edge's own heartbeat entry, read from itself). */
  async ownership(): Promise<Map<string, string[]>> {
    const owners = new Map<string, string[]>();
    for (const edge of this.alive('edge')) {
      const self = (await this.clusterView(edge)).instances.find((m) => m.id === edge.id);
      for (const camera of self?.cameras ?? []) owners.set(camera, [...(owners.get(camera) ?? []), edge.id]);
    }
    this.lastOwnership = JSON.stringify(Object.fromEntries(owners));
    return owners;
  }

  lastOwnershipMap(): Record<string, string[]> {
    return JSON.parse(this.lastOwnership === '' ? '{}' : this.lastOwnership) as Record<string, string[]>;
  }

  /** A counter's value (its first labelled series) on the instance's /metrics; 0 when absent. */
  async metric(i: Instance, name: string): Promise<number> {
    const text = await (await fetch(`${i.url}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith(`${name}{`));
    return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
  }

  async killAll(): Promise<void> {
    for (const i of this.all) if (i.serve.child.exitCode === null) i.serve.child.kill('SIGKILL');
    await Promise.all(this.all.map((i) => i.serve.exited));
  }
}

/**
 * Every event id in the ACTIONS stream, in stream order: direct gets by sequence (plain requests, retried
 * while the stream's leader moves after the NATS node kill).
 */
export async function storedEventIds(nc: NatsConnection): Promise<string[]> {
  const jsm = await nc.jetstreamManager();
  const info = await waitFor(
    'ACTIONS stream info',
    () => jsm.streams.info('ACTIONS').catch(() => null),
    30_000,
  );
  const ids: string[] = [];
  for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
    const stored = await waitFor(
      `stored event ${seq}`,
      () => jsm.streams.getMessage('ACTIONS', { seq }).catch(() => null),
      30_000,
    );
    ids.push(stored.json<{ id: string }>().id);
  }
  return ids;
}

/** Per camera and instance, stretches of predictions (gaps under stretchGapMs); the longest overlap of two instances' stretches. */
export function longestDoublePublication(
  seen: readonly Seen[],
  stretchGapMs: number,
): { camera: string; ms: number } {
  const stretches = new Map<string, { instance: string; fromMs: number; toMs: number }[]>();
  for (const s of [...seen].sort((a, b) => a.atMs - b.atMs)) {
    const list = stretches.get(s.camera) ?? [];
    stretches.set(s.camera, list);
    const last = [...list].reverse().find((x) => x.instance === s.instance);
    if (last !== undefined && s.atMs - last.toMs < stretchGapMs) last.toMs = s.atMs;
    else list.push({ instance: s.instance, fromMs: s.atMs, toMs: s.atMs });
  }
  let worst = { camera: '', ms: 0 };
  for (const [camera, list] of stretches) {
    for (const a of list) {
      for (const b of list) {
        if (a.instance >= b.instance) continue;
        const ms = Math.min(a.toMs, b.toMs) - Math.max(a.fromMs, b.fromMs);
        if (ms > worst.ms) worst = { camera, ms };
      }
    }
  }
  return worst;
}
