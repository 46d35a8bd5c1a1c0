import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { preferredOwner, rankOwners } from '../../../src/cluster/rendezvous.js';
import { SimCluster, SimEdge } from './lease-sim.js';

const TTL_MS = 10_000;
const STEP_MS = 500;
const cameras = Array.from({ length: 9 }, (_, i) => `cam${i}`);
const edges = (n: number) => Array.from({ length: n }, (_, i) => new SimEdge(`edge-${i}`, TTL_MS));

function assertEachOwnedOnce(cluster: SimCluster): void {
  for (const id of cluster.cameras) {
    assert.equal(cluster.owners(id).length, 1, `${id} owners: ${cluster.owners(id).join(',')}`);
  }
}

describe('rendezvous hashing', () => {
  it('is deterministic and ranks every edge once', () => {
    const ids = ['a', 'b', 'c', 'd'];
    assert.deepEqual(rankOwners('cam', ids), rankOwners('cam', [...ids].reverse()));
    assert.deepEqual([...rankOwners('cam', ids)].sort(), ids);
  });

  it('spreads cameras evenly and moves only the joiner share when an edge joins', () => {
    const many = Array.from({ length: 3000 }, (_, i) => `camera-${i}`);
    const three = ['e1', 'e2', 'e3'];
    const counts = new Map<string, number>();
    for (const c of many)
      counts.set(preferredOwner(c, three)!, (counts.get(preferredOwner(c, three)!) ?? 0) + 1);
    for (const n of counts.values()) assert.ok(Math.abs(n - 1000) < 120, `uneven: ${[...counts.values()]}`);
    const moved = many.filter((c) => preferredOwner(c, three) !== preferredOwner(c, [...three, 'e4']));
    assert.ok(
      moved.every((c) => preferredOwner(c, [...three, 'e4']) === 'e4'),
      'only moves to the joiner',
    );
    assert.ok(Math.abs(moved.length - 750) < 120, `moved ${moved.length}`);
  });
});

describe('LeasePlanner in a simulated cluster (virtual time)', () => {
  it('converges to exactly one running owner per camera, spread over the edges', () => {
    const cluster = new SimCluster(edges(3), [...cameras], STEP_MS);
    cluster.run(5_000);
    assertEachOwnedOnce(cluster);
    const live = cluster.liveEdges();
    for (const c of cameras) assert.equal(cluster.owners(c)[0], preferredOwner(c, live));
    assert.equal(cluster.maxDoubleMs, 0);
  });

  it('a killed edge: its cameras run elsewhere within leaseTtlMs + 10 s, never on two edges for a TTL', () => {
    const cluster = new SimCluster(edges(3), [...cameras], STEP_MS);
    cluster.run(5_000);
    const victim = cluster.edges[0]!;
    const orphans = [...victim.running];
    assert.ok(orphans.length > 0);
    victim.alive = false; // SIGKILL: no release, no renewals; its heartbeat stops too
    cluster.run(TTL_MS + 10_000);
    assertEachOwnedOnce(cluster);
    for (const id of orphans) assert.notEqual(cluster.owners(id)[0], victim.id);
    assert.ok(cluster.maxDoubleMs < TTL_MS);
  });

  it('a killed edge still listed as live (stale heartbeat view) is taken over after two TTLs', () => {
    const cluster = new SimCluster(edges(2), [...cameras], STEP_MS);
    cluster.run(5_000);
    const victim = cluster.edges[0]!;
    victim.alive = false;
    // The survivor still believes the victim is live, so it is not the preferred owner of its cameras.
    const survivor = cluster.edges[1]!;
    const start = cluster.nowMs;
    while (cluster.nowMs - start < 3 * TTL_MS) {
      cluster.nowMs += STEP_MS;
      survivor.step(cluster.kv, cluster.cameras, [victim.id, survivor.id], cluster.nowMs);
    }
    for (const id of cameras) assert.ok(survivor.running.has(id), `${id} stranded`);
  });

  it('a joining edge takes over only its fair share', () => {
    const cluster = new SimCluster(edges(2), [...cameras], STEP_MS);
    cluster.run(5_000);
    const before = new Map(cameras.map((c) => [c, cluster.owners(c)[0]]));
    cluster.edges.push(new SimEdge('edge-new', TTL_MS));
    cluster.run(5_000);
    assertEachOwnedOnce(cluster);
    const live = cluster.liveEdges();
    for (const c of cameras) {
      const now = cluster.owners(c)[0];
      if (now !== before.get(c)) assert.equal(now, 'edge-new', `${c} moved between old edges`);
      assert.equal(now, preferredOwner(c, live));
    }
  });

  it('draining (SIGTERM) hands every camera over before exit', () => {
    const cluster = new SimCluster(edges(3), [...cameras], STEP_MS);
    cluster.run(5_000);
    const leaving = cluster.edges[1]!;
    leaving.draining = true;
    cluster.run(2 * STEP_MS);
    assert.equal(leaving.running.size, 0);
    assert.ok([...cluster.kv.entries.values()].every((l) => l.owner !== leaving.id));
    cluster.run(2 * STEP_MS);
    assertEachOwnedOnce(cluster);
  });

  it('a removed camera stops and its lease is released; an added one is picked up by one edge', () => {
    const cluster = new SimCluster(edges(3), [...cameras], STEP_MS);
    cluster.run(5_000);
    cluster.cameras = cameras.filter((c) => c !== 'cam0').concat('cam-new');
    cluster.run(2_000);
    assert.deepEqual(cluster.owners('cam0'), []);
    assert.equal(cluster.kv.entries.has('cam0'), false);
    assert.equal(cluster.owners('cam-new').length, 1);
  });

  it('an edge cut off from the KV stops its cameras within a TTL (self-fencing)', () => {
    const cluster = new SimCluster(edges(2), [...cameras], STEP_MS);
    cluster.run(5_000);
    const cut = cluster.edges[0]!;
    const held = [...cut.running];
    assert.ok(held.length > 0);
    // Its writes stop landing but it keeps planning with the last view it had.
    const frozen = new Map(cluster.kv.entries);
    const start = cluster.nowMs;
    let stoppedAfterMs = Infinity;
    while (cluster.nowMs - start < 2 * TTL_MS) {
      cluster.nowMs += STEP_MS;
      const actions = cut.planner.plan({
        nowMs: cluster.nowMs,
        self: cut.id,
        draining: false,
        liveEdges: cluster.liveEdges(),
        cameras,
        leases: frozen,
        running: cut.running,
      });
      for (const a of actions) if (a.kind === 'stop') cut.running.delete(a.cameraId);
      if (cut.running.size === 0) {
        stoppedAfterMs = Math.min(stoppedAfterMs, cluster.nowMs - start);
      }
    }
    assert.ok(stoppedAfterMs <= TTL_MS, `still running after ${stoppedAfterMs} ms`);
  });
});
