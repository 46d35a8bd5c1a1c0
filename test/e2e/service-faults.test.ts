// End to end under faults, one real `tsn serve` process shared by the scenarios (start-up is the slow part):
// schema-valid messages on both transports, a late JetStream consumer, a NATS crash and restart, a stalled
// WebSocket subscriber, cameras added and removed beside a running one, bad API bodies; then SIGTERM.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AckPolicy, connect, DeliverPolicy, type NatsConnection } from 'nats';
import { convertCheckpoint } from '../../src/model/convert.js';
import { WS_CLOSE } from '../../src/publish/websocket/close-codes.js';
import { hasNatsServer, startNatsServer, type NatsServerHandle } from '../helpers/nats-server.js';
import { fixturesDir } from '../helpers/paths.js';
import { needs } from '../helpers/tools.js';
import { alive, descendants, getJson, startServe, type Serve } from '../integration/service/serve-process.js';
import {
  assertAllValid,
  collectNats,
  eventsOf,
  metric,
  openWs,
  predictionsOf,
  schemaOf,
  storedEvents,
  windowEndMs,
  type Received,
  type WsClient,
} from './fault-helpers.js';
import { waitFor } from '../helpers/wait.js';

const STRIDE_MS = 500; // windowMs 2000 / numSeg 4, a prediction every segment
const STREAM = 'ACTIONS';
const clip = join(fixturesDir, 'reference', 'clip_340x256.mp4');
const work = mkdtempSync(join(tmpdir(), 'tsn-e2e-faults-'));
const modelDir = join(work, 'model');
const hasNats = hasNatsServer();

function simCamera(id: string): string {
  return `sim://${id}?file=${clip}`;
}

function writeConfig(natsUrl: string | undefined): string {
  const firstLabel = readFileSync(join(modelDir, 'labels.txt'), 'utf8').split('\n')[0] ?? '';
  const path = join(work, 'faults.yaml');
  writeFileSync(
    path,
    [
      'server: { host: 127.0.0.1, port: 0 }',
      `model: { dir: ${modelDir} }`,
      'defaults:',
      '  windowMs: 2000',
      '  numSeg: 4',
      '  publishPredictions: true',
      // Steady events: maxWindowGapMs 1 (below the stride) ends every episode at the next window ('gap') and
      // the label starts again at once, so one label gives a started and an ended event every window.
      `  detector: { smoothing: 1, onThreshold: 0.001, offThreshold: 0, minWindowsOn: 1, minWindowsOff: 1, cooldownMs: 0, maxWindowGapMs: 1, labels: { allow: ['${firstLabel}'] } }`,
      'cameras:',
      `  - { id: steady, url: '${simCamera('steady')}' }`,
      // Small enough that a stalled subscriber passes it quickly, large enough for a reading one.
      'websocket: { maxBufferedBytes: 65536 }',
      ...(natsUrl === undefined ? [] : [`nats: { url: '${natsUrl}' }`]),
      `stateFile: ${join(work, 'state.json')}`,
    ].join('\n'),
  );
  return path;
}

async function postCamera(baseUrl: string, body: unknown): Promise<Response> {
  return fetch(`${baseUrl}/v1/cameras`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

describe('service end to end under faults', () => {
  let nats: NatsServerHandle | undefined;
  let nc: NatsConnection | undefined;
  let serve: Serve | undefined;
  let baseUrl = '';
  let testClientReconnects = 0;
  let main: WsClient | undefined;
  const fromNats: Received[] = [];
  const ws = (): WsClient => main ?? assert.fail('no WebSocket client');
  const conn = (): NatsConnection => nc ?? assert.fail('no NATS connection');

  before(async () => {
    await convertCheckpoint({
      checkpointPath: join(fixturesDir, 'reference', 'tsn_r18_c10_p4.pdparams'),
      outDir: modelDir,
    });
    if (hasNats) {
      nats = await startNatsServer();
      // The test's own client must outlive the server restart too.
      nc = await connect({ servers: nats.url, maxReconnectAttempts: -1, reconnectTimeWait: 200 });
      collectNats(nc, 'actions.>', fromNats);
      const status = nc.status();
      void (async () => {
        for await (const s of status) if (s.type === 'reconnect') testClientReconnects += 1;
      })();
    }
    serve = startServe(['--config', writeConfig(nats?.url)]);
    const s = serve;
    baseUrl = await waitFor(
      'listening',
      () => s.logs.find((l) => l.msg === 'listening')?.url as string | undefined,
      60_000,
    );
    main = await openWs(
      `${baseUrl.replace('http:', 'ws:')}/v1/events?types=action.started,action.ended,prediction,status`,
    );
  });

  after(async () => {
    main?.ws.terminate();
    serve?.child.kill('SIGKILL');
    await nc?.close();
    await nats?.cleanup();
    rmSync(work, { recursive: true, force: true });
    assert.equal(existsSync(work), false);
    if (nats !== undefined) assert.equal(existsSync(nats.storeDir), false);
  });

  test('every event, prediction and status on NATS and WebSocket matches its schema', async (t) => {
    if (!needs(t, hasNats, 'nats-server')) return;
    const kinds = ['event', 'prediction', 'status'] as const;
    for (const source of [fromNats, ws().messages]) {
      await waitFor(
        'an event, a prediction and a status',
        () => {
          const counts = { event: 0, prediction: 0, status: 0 };
          for (const m of source) counts[schemaOf(m)] += 1;
          return kinds.every((k) => counts[k] > 0) ? true : undefined;
        },
        60_000,
      );
    }
    const counts = assertAllValid([...fromNats, ...ws().messages]);
    assert.ok(
      kinds.every((k) => counts[k] > 0),
      JSON.stringify(counts),
    );
  });

  test('a durable consumer created later gets every stored event (the ids core NATS carried) and acks them', async (t) => {
    if (!needs(t, hasNats, 'nats-server')) return;
    const seenBefore = await waitFor(
      'three events on core NATS',
      () => {
        const ids = eventsOfNats(fromNats).map((m) => String(m.data.id));
        return ids.length >= 3 ? ids : undefined;
      },
      60_000,
    );
    const jsm = await conn().jetstreamManager();
    await jsm.consumers.add(STREAM, {
      durable_name: 'late-reader',
      deliver_policy: DeliverPolicy.All,
      ack_policy: AckPolicy.Explicit,
    });
    const consumer = await conn().jetstream().consumers.get(STREAM, 'late-reader');
    const fetched = new Map<string, number>();
    let deliveries = 0;
    await waitFor(
      'every event core NATS saw before the consumer existed',
      async () => {
        const batch = await consumer.fetch({ max_messages: 500, expires: 1000 });
        for await (const m of batch) {
          deliveries += 1;
          fetched.set(m.json<{ id: string }>().id, m.seq);
          assert.equal(await m.ackAck(), true);
        }
        return seenBefore.every((id) => fetched.has(id)) ? true : undefined;
      },
      60_000,
    );
    assert.equal(fetched.size, deliveries, 'each stored event delivered once');
    await waitFor(
      'core NATS saw every event the consumer got',
      () => {
        const seen = new Set(eventsOfNats(fromNats).map((m) => String(m.data.id)));
        return [...fetched.keys()].every((id) => seen.has(id)) ? true : undefined;
      },
      60_000,
    );
    const info = await consumer.info();
    assert.equal(info.num_ack_pending, 0);
    assert.ok(info.ack_floor.stream_seq >= Math.max(...fetched.values()));
    await jsm.consumers.delete(STREAM, 'late-reader');
  });

  test('NATS killed and restarted on the same port and store: cameras keep predicting, outage events arrive after recovery, no duplicates', async (t) => {
    if (!needs(t, hasNats, 'nats-server') || nats === undefined) return;
    const camera = async () =>
      JSON.stringify(
        ((await getJson(`${baseUrl}/v1/cameras/steady`)).body as { lastPrediction: unknown }).lastPrediction,
      );
    await nats.kill();
    const killedAtMs = Date.now();
    await waitFor(
      'the service to see NATS gone',
      async () => ((await metric(baseUrl, 'tsn_nats_connected')) === 0 ? true : undefined),
      60_000,
    );
    const lastBefore = await camera();
    await waitFor(
      'predictions and events during the outage',
      () => {
        const after = ws().messages.filter((m) => m.receivedAtMs > killedAtMs);
        return predictionsOf(after, 'steady').length >= 3 && eventsOf(after).length >= 4 ? true : undefined;
      },
      60_000,
    );
    assert.notEqual(await camera(), lastBefore, 'the camera view shows new predictions during the outage');
    assert.equal(serve?.child.exitCode, null, 'the service keeps running');
    const restartAtMs = Date.now();
    const duringOutage = eventsOf(ws().messages)
      .filter((m) => m.receivedAtMs > killedAtMs && m.receivedAtMs < restartAtMs)
      .map((m) => String(m.data.id));

    await nats.restart();
    // The core subscriber below must be back before the events it is asked about are published.
    await waitFor(
      'the test client back on NATS',
      () => (testClientReconnects > 0 ? true : undefined),
      60_000,
    );
    await waitFor(
      'the service back on NATS',
      async () => ((await metric(baseUrl, 'tsn_nats_connected')) === 1 ? true : undefined),
      60_000,
    );
    const recoveredAtMs = Date.now();
    const afterRecovery = await waitFor(
      'two events after recovery on WebSocket',
      () => {
        const ids = eventsOf(ws().messages)
          .filter((m) => m.receivedAtMs > recoveredAtMs)
          .map((m) => String(m.data.id));
        return ids.length >= 2 ? ids : undefined;
      },
      60_000,
    );
    await waitFor(
      'the events after recovery on core NATS',
      () => {
        const seen = new Set(eventsOfNats(fromNats).map((m) => String(m.data.id)));
        return afterRecovery.every((id) => seen.has(id)) ? true : undefined;
      },
      60_000,
    );
    const jsm = await conn().jetstreamManager();
    const dropped =
      (await metric(baseUrl, 'tsn_nats_dropped_total')) ?? assert.fail('no tsn_nats_dropped_total');
    const stored = await waitFor(
      'outage and recovery events stored',
      async () => {
        const all = await storedEvents(jsm, STREAM);
        const ids = new Set(all.map((e) => e.id));
        const missing = duringOutage.filter((id) => !ids.has(id)).length;
        // Events held while NATS was away arrive unless the bounded buffer dropped them (and counted it).
        return afterRecovery.every((id) => ids.has(id)) && missing <= dropped ? all : undefined;
      },
      60_000,
    );
    if (dropped === 0) {
      const ids = new Set(stored.map((e) => e.id));
      assert.deepEqual(
        duringOutage.filter((id) => !ids.has(id)),
        [],
        'every outage event stored',
      );
    }
    assert.ok(duringOutage.length >= 4);
    assert.equal(new Set(stored.map((e) => e.id)).size, stored.length, 'no event stored twice');
    for (const e of stored) assert.equal(e.msgId, e.id);
  });

  test('a stalled WebSocket subscriber is cut off with 4008 while a reading one keeps receiving', async () => {
    const predictionsUrl = `${baseUrl.replace('http:', 'ws:')}/v1/events?types=prediction`;
    const fast = await openWs(predictionsUrl);
    const slow = await openWs(predictionsUrl);
    slow.socket.pause();
    // Two predictions a second would take minutes to fill the kernel's socket buffers (several MB on
    // loopback), so the stalled client also floods the hub with commands ({"op":"ping"}): past the command
    // rate (a burst of 50, then 20/s) the hub cuts it off with the same 4008 before its replies can pile up.
    // Protocol-level pings would not do: ws terminates a peer that leaves its auto-pongs unread.
    for (let i = 0; i < 2_000; i++) slow.ws.send('{"op":"ping"}');
    const cutAtMs = Date.now();
    slow.socket.resume();
    const closed = await slow.closed;
    assert.equal(closed.code, WS_CLOSE.tooManyCommands);
    assert.equal(closed.reason, 'too many commands');
    await waitFor(
      'predictions reaching the fast subscriber after the cut',
      () =>
        predictionsOf(fast.messages, 'steady').filter((m) => m.receivedAtMs > cutAtMs).length >= 3
          ? true
          : undefined,
      60_000,
    );
    assert.equal(fast.ws.readyState, fast.ws.OPEN);
    fast.ws.close();
    await fast.closed;
  });

  test('a camera added and removed over HTTP beside a running one: no gap in its windows, its ffmpeg untouched', async () => {
    type View = { lastPrediction: unknown; counters: Record<string, number> };
    const view = async (id: string) => (await getJson(`${baseUrl}/v1/cameras/${id}`)).body as View;
    const pid = serve?.child.pid ?? assert.fail('no service');
    const childrenBefore = descendants(pid);
    const spawnsBefore = (await view('steady')).counters.ffmpegSpawns;
    const startAtMs = Date.now();

    const post = await postCamera(baseUrl, { id: 'extra', url: simCamera('extra') });
    assert.equal(post.status, 201, await post.clone().text());
    await waitFor(
      'the added camera predicting',
      () => (predictionsOf(ws().messages, 'extra').length >= 2 ? true : undefined),
      60_000,
    );
    const extraChildren = descendants(pid).filter((p) => !childrenBefore.includes(p));
    assert.ok(extraChildren.length > 0, 'the added camera runs its own processes');
    assert.equal((await fetch(`${baseUrl}/v1/cameras/extra`, { method: 'DELETE' })).status, 204);
    const removedAtMs = Date.now();
    assert.equal((await getJson(`${baseUrl}/v1/cameras/extra`)).status, 404);
    await waitFor(
      'two steady predictions after the removal',
      () =>
        predictionsOf(ws().messages, 'steady').filter((m) => m.receivedAtMs > removedAtMs).length >= 2
          ? true
          : undefined,
      60_000,
    );

    const all = predictionsOf(ws().messages, 'steady');
    const lastBeforeAdd = all.findLastIndex((m) => m.receivedAtMs <= startAtMs);
    const span = all.slice(Math.max(0, lastBeforeAdd));
    assert.ok(span[0] !== undefined && span[0].receivedAtMs <= startAtMs, 'a prediction before the add');
    for (let i = 1; i < span.length; i++) {
      const step = windowEndMs(span[i]!) - windowEndMs(span[i - 1]!);
      assert.ok(step > 0 && step <= STRIDE_MS + STRIDE_MS / 2, `windows ${i - 1}..${i} ${step} ms apart`);
    }
    assert.equal((await view('steady')).counters.ffmpegSpawns, spawnsBefore, 'steady kept its ffmpeg');
    assert.ok(childrenBefore.every(alive), "steady's processes still run");
    await waitFor(
      'the removed camera leaves no process',
      () => (extraChildren.every((p) => !alive(p)) ? true : undefined),
      10_000,
    );
  });

  test('bad camera bodies over HTTP get 400 E_API_VALIDATION from the real process', async () => {
    const bodies = [
      { id: 'x1', url: simCamera('x1'), windwMs: 1000 },
      { id: 'x2' },
      { id: 'bad id!', url: simCamera('x3') },
    ];
    for (const body of bodies) {
      const res = await postCamera(baseUrl, body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'E_API_VALIDATION');
    }
    const ids = ((await getJson(`${baseUrl}/v1/cameras`)).body as { cameras: { id: string }[] }).cameras;
    assert.deepEqual(
      ids.map((c) => c.id),
      ['steady'],
    );
  });

  test('SIGTERM: exit 0, no process left, and every message received along the way matched its schema', async () => {
    const s = serve ?? assert.fail('no service');
    const children = descendants(s.child.pid!);
    assert.ok(children.length >= 2, 'the simulator encoder and the ingest ffmpeg run as children');
    s.child.kill('SIGTERM');
    assert.equal(await s.exited, 0, s.stderr());
    await waitFor('children gone', () => (children.every((p) => !alive(p)) ? true : undefined), 10_000);
    await ws().closed;
    assertAllValid([...fromNats, ...ws().messages]);
  });
});

function eventsOfNats(messages: readonly Received[]): Received[] {
  return messages.filter((m) => m.subject.startsWith('actions.events.'));
}
