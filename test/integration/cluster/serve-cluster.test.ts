// The scale-out must-show (issue 13, docs/scale-out.md) on loopback: a 3-node NATS cluster (routes,
// JetStream, one store per node), 3 `tsn serve --role edge` and 2 `--role infer` processes, 9 sim://
// cameras. Every camera is owned by exactly one edge and gets predictions; a camera added through one
// instance's API is taken by exactly one edge and removing it stops it; predictions continue when an infer
// worker or a NATS node is SIGKILLed; a SIGKILLed edge's cameras get predictions from other edges within
// leaseTtlMs + 10 s; no camera is published by two edges for longer than leaseTtlMs.
import { after, before, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type NatsConnection } from 'nats';
import { convertCheckpoint } from '../../../src/model/convert.js';
import { hasNatsServer, startNatsCluster, type NatsClusterHandle } from '../../helpers/nats-server.js';
import { fixturesDir } from '../../helpers/paths.js';
import { needs } from '../../helpers/tools.js';
import { waitFor } from '../../helpers/wait.js';
import {
  longestDoublePublication,
  ServeInstances,
  storedEventIds,
  writeClusterConfig,
  type Instance,
  type Seen,
  type SeenEvent,
} from './serve-cluster-rig.js';

const LEASE_TTL_MS = 3000;
const CAMERAS = Array.from({ length: 9 }, (_, i) => `cam${i}`);
/** Two predictions of one camera further apart than this belong to different publishing stretches. */
const STRETCH_GAP_MS = 3000;

const work = mkdtempSync(join(tmpdir(), 'tsn-serve-cluster-'));
const modelDir = join(work, 'model');
const clip = join(fixturesDir, 'reference', 'clip_340x256.mp4');

describe('tsn serve scale-out: 3 NATS nodes, 3 edges, 2 infer workers, 9 cameras', () => {
  let nats: NatsClusterHandle | undefined;
  let observer: NatsConnection | undefined;
  const serves = new ServeInstances();
  const seen: Seen[] = [];
  const events: SeenEvent[] = [];

  before(async () => {
    if (!hasNatsServer()) return;
    await convertCheckpoint({
      checkpointPath: join(fixturesDir, 'reference', 'tsn_r18_c10_p4.pdparams'),
      outDir: modelDir,
    });
    nats = await startNatsCluster(3);
  });
  after(async () => {
    await serves.killAll();
    await observer?.close().catch(() => undefined);
    await nats?.cleanup();
    rmSync(work, { recursive: true, force: true });
  });

  const predictionsAfter = (camera: string, sinceMs: number, from?: (instance: string) => boolean) =>
    seen.filter((s) => s.camera === camera && s.atMs > sinceMs && (from === undefined || from(s.instance)));
  const everyCameraPredicts = (
    cameras: readonly string[],
    sinceMs: number,
    count: number,
    timeoutMs: number,
  ) =>
    waitFor(
      `${count} predictions per camera after ${new Date(sinceMs).toISOString()}`,
      () => cameras.every((c) => predictionsAfter(c, sinceMs).length >= count),
      timeoutMs,
    );

  test(
    'ownership, API registry, infer/edge/NATS node failures',
    { timeout: 600_000 },
    async (t: TestContext) => {
      if (!needs(t, hasNatsServer(), 'nats-server')) return;
      const cluster = nats!;
      observer = await connect({
        servers: [...cluster.urls],
        maxReconnectAttempts: -1,
        reconnectTimeWait: 100,
      });
      observer.subscribe('actions.predictions.>', {
        callback: (error, msg) => {
          if (error !== null) return;
          const p = msg.json<{ camera: string; instance?: string }>();
          seen.push({ camera: p.camera, instance: p.instance ?? '?', atMs: Date.now() });
        },
      });
      observer.subscribe('actions.events.>', {
        callback: (error, msg) => !error && events.push(msg.json<SeenEvent>()),
      });
      // A fresh cluster elects its JetStream meta leader after the nodes start: replicated buckets wait for it.
      await waitFor(
        'JetStream ready on the NATS cluster (an R3 bucket opens)',
        () =>
          observer!
            .jetstream()
            .views.kv('tsn_probe', { replicas: 3 })
            .then(
              () => true,
              () => false,
            ),
        60_000,
      );
      const config = writeClusterConfig({
        file: join(work, 'cluster.yaml'),
        modelDir,
        nats: cluster.urls,
        leaseTtlMs: LEASE_TTL_MS,
        cameras: CAMERAS,
        clip,
      });
      for (const id of ['infer-a', 'infer-b']) serves.start(id, 'infer', config);
      for (const id of ['edge-a', 'edge-b', 'edge-c']) serves.start(id, 'edge', config);
      for (const i of serves.all) await serves.listening(i);

      // 1. Every camera owned by exactly one edge (all three edges live), and predicting.
      await waitFor(
        () => `every camera owned by exactly one of 3 edges (last seen: ${serves.lastOwnership})`,
        async () => {
          const views = await Promise.all(serves.alive().map((i) => serves.clusterView(i)));
          const edgesSeen = views[0]!.instances.filter((m) => m.role === 'edge').length;
          const owners = await serves.ownership();
          return edgesSeen === 3 && CAMERAS.every((c) => owners.get(c)?.length === 1);
        },
        90_000,
      );
      // Any instance's camera API names each camera's owner (its lease), as the owners report it.
      let listedOwners = '';
      await waitFor(
        () => `the infer instance's GET /v1/cameras to name the owners (${listedOwners})`,
        async () => {
          const running = await serves.ownership();
          const listed = (await (await fetch(`${serves.alive('infer')[0]!.url}/v1/cameras`)).json()) as {
            cameras: { id: string; owner?: string | null }[];
          };
          listedOwners = listed.cameras.map((c) => `${c.id}:${c.owner}`).join(',');
          return CAMERAS.every(
            (id) => listed.cameras.find((c) => c.id === id)?.owner === running.get(id)?.[0],
          );
        },
        5_000,
      );
      const convergedAtMs = Date.now();
      await everyCameraPredicts(CAMERAS, convergedAtMs, 2, 60_000);
      for (const s of seen) assert.notEqual(s.instance, '?', 'predictions carry the instance id');
      // Segment frames went to the infer workers (both hold the model), not to the edges' own backbones.
      for (const edge of serves.alive('edge'))
        assert.ok((await serves.metric(edge, 'tsn_remote_frames_total')) > 0, edge.id);

      // 2. A camera added through one instance's API is taken by exactly one edge; removing it stops it.
      const [infer] = serves.alive('infer');
      const refused = await fetch(`${infer!.url}/v1/cameras`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ id: 'bad', url: 'ftp://example.com/cam' }),
      });
      assert.equal(refused.status, 400);
      assert.equal(((await refused.json()) as { error: { code: string } }).error.code, 'E_SOURCE_URL');
      const added = await fetch(`${serves.alive('edge')[0]!.url}/v1/cameras`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ id: 'extra', url: `sim://extra?file=${clip}` }),
      });
      assert.equal(added.status, 201, await added.text());
      // Another instance learns of it through its KV watch, a moment after the write is acknowledged.
      let ids: string[] = [];
      const listsExtra = async (): Promise<boolean> => {
        const listed = (await (await fetch(`${infer!.url}/v1/cameras`)).json()) as
          { cameras?: { id: string }[] } | { id: string }[];
        ids = (Array.isArray(listed) ? listed : (listed.cameras ?? [])).map((c) => c.id);
        return ids.includes('extra');
      };
      await waitFor(
        () => `the infer instance's API to list the new camera (${ids.join(',')})`,
        listsExtra,
        5_000,
      );
      const addedAtMs = Date.now();
      await waitFor(
        'the added camera owned by exactly one edge and predicting',
        async () =>
          (await serves.ownership()).get('extra')?.length === 1 &&
          predictionsAfter('extra', addedAtMs).length >= 2,
        60_000,
      );
      // PATCH through another edge: disabled, no edge runs it; enabled again, exactly one does.
      const patch = async (through: Instance, body: unknown) => {
        const res = await fetch(`${through.url}/v1/cameras/extra`, {
          method: 'PATCH',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        assert.equal(res.status, 200, await res.text());
      };
      await patch(serves.alive('edge')[1]!, { enabled: false });
      await waitFor(
        'no edge runs the disabled camera',
        async () => !(await serves.ownership()).has('extra'),
        30_000,
      );
      await patch(serves.alive('edge')[2]!, { enabled: true });
      await waitFor(
        'the re-enabled camera owned by exactly one edge',
        async () => (await serves.ownership()).get('extra')?.length === 1,
        30_000,
      );
      const removed = await fetch(`${infer!.url}/v1/cameras/extra`, { method: 'DELETE' });
      assert.equal(removed.status, 204, await removed.text());
      await waitFor(
        'no edge runs the removed camera',
        async () => !(await serves.ownership()).has('extra'),
        30_000,
      );
      const stoppedAtMs = Date.now();
      await everyCameraPredicts(CAMERAS, stoppedAtMs, 2, 60_000);
      assert.equal(predictionsAfter('extra', stoppedAtMs).length, 0, 'a removed camera publishes nothing');

      // 3. SIGKILL an infer worker: predictions continue (through the other worker).
      const victimInfer = serves.alive('infer')[0]!;
      victimInfer.serve.child.kill('SIGKILL');
      await victimInfer.serve.exited;
      const inferKilledAtMs = Date.now();
      const [survivor] = serves.alive('infer');
      const framesBefore = await serves.metric(survivor!, 'tsn_infer_frames_total');
      await everyCameraPredicts(CAMERAS, inferKilledAtMs, 3, 60_000);
      assert.ok(
        (await serves.metric(survivor!, 'tsn_infer_frames_total')) > framesBefore,
        'the other worker took over',
      );

      // 4. SIGKILL an edge: its cameras get predictions from other edges within leaseTtlMs + 10 s.
      const owners = await serves.ownership();
      const victimEdge = serves.alive('edge').find((e) => CAMERAS.some((c) => owners.get(c)?.[0] === e.id))!;
      const orphans = CAMERAS.filter((c) => owners.get(c)?.[0] === victimEdge.id);
      victimEdge.serve.child.kill('SIGKILL');
      await victimEdge.serve.exited;
      const edgeKilledAtMs = Date.now();
      t.diagnostic(`killed ${victimEdge.id} at ${edgeKilledAtMs}, which owned ${orphans.join(',')}`);
      await waitFor(
        `${orphans.join(',')} predicting from another edge`,
        () =>
          orphans.every((c) => predictionsAfter(c, edgeKilledAtMs, (i) => i !== victimEdge.id).length >= 1),
        LEASE_TTL_MS + 10_000,
      );
      t.diagnostic(`orphans predicting elsewhere ${Date.now() - edgeKilledAtMs} ms after the kill`);
      // The episodes the killed edge left open are ended (reason handover) by the cameras' new owners.
      const leftOpen = events.filter(
        (e) =>
          e.type === 'action.started' &&
          e.instance === victimEdge.id &&
          !events.some(
            (x) => x.type === 'action.ended' && x.episodeId === e.episodeId && x.instance === victimEdge.id,
          ),
      );
      assert.ok(leftOpen.length > 0, 'the killed edge had open episodes');
      await waitFor(
        `handover ends of ${leftOpen.map((e) => e.camera).join(',')}`,
        () =>
          leftOpen.every((s) =>
            events.some(
              (e) =>
                e.type === 'action.ended' &&
                e.episodeId === s.episodeId &&
                e.endReason === 'handover' &&
                e.instance !== victimEdge.id,
            ),
          ),
        30_000,
      );
      await waitFor(
        () =>
          `every camera owned by exactly one of the 2 surviving edges (last seen: ${serves.lastOwnership})`,
        async () => {
          const now = await serves.ownership();
          return CAMERAS.every((c) => now.get(c)?.length === 1);
        },
        30_000,
      );

      // 5. SIGKILL one NATS node: predictions continue.
      await cluster.nodes[0]!.kill();
      const natsKilledAtMs = Date.now();
      await everyCameraPredicts(CAMERAS, natsKilledAtMs, 3, 60_000);

      // 6. SIGTERM an edge: it hands its cameras over (episodes end with reason handover) and exits 0.
      await serves.ownership();
      const [leaving, staying] = serves.alive('edge');
      const handedOver = CAMERAS.filter((c) => (serves.lastOwnershipMap()[c] ?? []).includes(leaving!.id));
      leaving!.serve.child.kill('SIGTERM');
      assert.equal(await leaving!.serve.exited, 0, leaving!.serve.stderr());
      const leftAtMs = Date.now();
      await waitFor(
        `${handedOver.join(',')} predicting from ${staying!.id}`,
        () => handedOver.every((c) => predictionsAfter(c, leftAtMs, (i) => i === staying!.id).length >= 1),
        LEASE_TTL_MS + 10_000,
      );
      // Watchers whose consumer was on the killed NATS node are resumed (KvMirror.verify); without that the
      // staying edge could miss the released leases for 10 s or more.
      const resumed = await Promise.all(
        serves.alive().map((i) => serves.metric(i, 'tsn_cluster_watch_restarts_total')),
      );
      t.diagnostic(
        `handed over ${Date.now() - leftAtMs} ms after the exit; KV watchers resumed since the NATS kill: ${resumed.join(',')}`,
      );
      const ended = events.filter((e) => e.type === 'action.ended' && e.instance === leaving!.id);
      for (const camera of handedOver) {
        assert.ok(
          ended.some((e) => e.camera === camera && e.endReason === 'handover'),
          `${camera}: its open episode ended with reason handover (${JSON.stringify(ended)})`,
        );
      }
      // The stream holds each event once (a publish retried after the NATS node died is deduplicated by
      // Nats-Msg-Id; a plain subscriber may see both copies), and every event seen is in it.
      const stored = await storedEventIds(observer);
      assert.equal(
        new Set(stored).size,
        stored.length,
        'event ids in the stream are unique across instances',
      );
      const storedSet = new Set(stored);
      assert.deepEqual(
        events.filter((e) => !storedSet.has(e.id)),
        [],
        'every published event is in the stream',
      );
      assert.ok(
        events.length > 0 && events.every((e) => e.instance !== undefined),
        'events carry the instance id',
      );

      // No camera published by two edges at once for longer than leaseTtlMs (from first convergence on).
      const worst = longestDoublePublication(
        seen.filter((s) => s.atMs >= convergedAtMs),
        STRETCH_GAP_MS,
      );
      t.diagnostic(`longest double publication: ${JSON.stringify(worst)}`);
      assert.ok(worst.ms <= LEASE_TTL_MS, `camera ${worst.camera} published by two edges for ${worst.ms} ms`);
    },
  );
});
