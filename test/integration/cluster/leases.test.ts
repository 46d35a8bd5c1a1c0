// Lease agents against a real nats-server's JetStream KV: ownership converges, a killed edge's cameras move
// after the TTL, a draining edge hands over at once, a camera added later is taken by exactly one edge.
import { after, before, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type KV, type NatsConnection } from 'nats';
import { KvMirror } from '../../../src/cluster/kv-mirror.js';
import { LeaseAgent } from '../../../src/cluster/lease-agent.js';
import { Membership } from '../../../src/cluster/membership.js';
import { hasNatsServer, startNatsServer, type NatsServerHandle } from '../../helpers/nats-server.js';
import { needs } from '../../helpers/tools.js';
import { waitFor } from '../../helpers/wait.js';

const TTL_MS = 1500;
const natsAvailable = hasNatsServer();

interface Edge {
  readonly id: string;
  readonly nc: NatsConnection;
  readonly agent: LeaseAgent;
  readonly membership: Membership;
  readonly mirrors: KvMirror[];
  readonly heartbeat: NodeJS.Timeout;
}

async function startEdge(url: string, id: string, cameras: () => string[]): Promise<Edge> {
  const nc = await connect({ servers: url, name: id });
  const js = nc.jetstream();
  const leasesKv: KV = await js.views.kv('tsn_leases_test', { history: 1 });
  const instancesKv: KV = await js.views.kv('tsn_instances_test', { history: 1 });
  const leaseMirror = new KvMirror(leasesKv);
  const instanceMirror = new KvMirror(instancesKv);
  await Promise.all([leaseMirror.start(), instanceMirror.start()]);
  const membership = new Membership(instancesKv, instanceMirror, TTL_MS);
  const beat = () =>
    membership
      .beat({ id, role: 'edge', models: [], cameras: [], load: { queueDepth: 0, inFlight: 0 } })
      .catch(() => undefined);
  await beat();
  const heartbeat = setInterval(() => void beat(), TTL_MS / 3);
  const agent = new LeaseAgent({
    self: id,
    kv: leasesKv,
    mirror: leaseMirror,
    leaseTtlMs: TTL_MS,
    liveEdges: (now) => membership.liveEdges(now),
    cameras,
    startCamera: () => undefined,
    stopCamera: async () => undefined,
    onError: () => undefined,
  });
  agent.start();
  return { id, nc, agent, membership, mirrors: [leaseMirror, instanceMirror], heartbeat };
}

async function kill(edge: Edge): Promise<void> {
  clearInterval(edge.heartbeat);
  edge.agent.close();
  for (const m of edge.mirrors) await m.close();
  await edge.nc.close();
}

describe('cluster leases on a real JetStream KV', () => {
  let server: NatsServerHandle | undefined;
  const edges: Edge[] = [];
  let cameras = Array.from({ length: 9 }, (_, i) => `cam${i}`);

  before(async () => {
    if (natsAvailable) server = await startNatsServer();
  });
  after(async () => {
    for (const e of edges.splice(0)) await kill(e).catch(() => undefined);
    await server?.cleanup();
  });

  const owners = (id: string, among: Edge[]) => among.filter((e) => e.agent.owned().includes(id));
  const converged = (among: Edge[]) => cameras.every((c) => owners(c, among).length === 1);
  const describeOwners = (among: Edge[]) => () =>
    among.map((e) => `${e.id}: ${e.agent.owned().join(',')}`).join(' | ');

  test('each camera is owned by exactly one edge; a killed edge is replaced; drain; add/remove', async (t: TestContext) => {
    if (!needs(t, natsAvailable, 'nats-server')) return;
    for (const id of ['edge-a', 'edge-b', 'edge-c'])
      edges.push(await startEdge(server!.url, id, () => cameras));
    await waitFor(describeOwners(edges), () => converged(edges), 20_000);

    const victim = edges.shift()!;
    const orphans = victim.agent.owned();
    await kill(victim);
    await waitFor(describeOwners(edges), () => converged(edges), 4 * TTL_MS + 10_000);
    for (const id of orphans) assert.equal(owners(id, edges).length, 1);

    const leaving = edges.shift()!;
    await leaving.agent.drain();
    assert.deepEqual(leaving.agent.owned(), []);
    await kill(leaving);
    // The preferred (only) remaining edge takes them at once, not after a TTL.
    await waitFor(describeOwners(edges), () => converged(edges), 3 * TTL_MS);

    cameras = [...cameras.filter((c) => c !== 'cam0'), 'cam-new'];
    await waitFor(
      describeOwners(edges),
      () => converged(edges) && owners('cam0', edges).length === 0,
      3 * TTL_MS,
    );
  });
});
