// End to end: an RTSP simulator camera -> tsn serve (real process) -> a real nats-server (core subjects and
// the JetStream stream) and a WebSocket subscriber, plus the HTTP recent-events list; then SIGTERM.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type NatsConnection } from 'nats';
import WebSocket from 'ws';
import { convertCheckpoint } from '../../src/model/convert.js';
import { hasNatsServer, startNatsServer, type NatsServerHandle } from '../helpers/nats-server.js';
import { fixturesDir } from '../helpers/paths.js';
import { needs } from '../helpers/tools.js';
import { alive, descendants, getJson, startServe } from '../integration/service/serve-process.js';
import { waitFor } from '../helpers/wait.js';

interface Message {
  readonly subject: string;
  readonly data: Record<string, unknown>;
}

const work = mkdtempSync(join(tmpdir(), 'tsn-e2e-'));
const modelDir = join(work, 'model');

describe('service end to end', () => {
  let nats: NatsServerHandle | undefined;
  let nc: NatsConnection | undefined;
  before(async () => {
    await convertCheckpoint({
      checkpointPath: join(fixturesDir, 'reference', 'tsn_r18_c10_p4.pdparams'),
      outDir: modelDir,
    });
  });
  after(async () => {
    await nc?.close();
    await nats?.cleanup();
    rmSync(work, { recursive: true, force: true });
  });

  test('events reach NATS (core + JetStream), WebSocket and /v1/events/recent; shutdown ends the episode', async (t) => {
    if (!needs(t, hasNatsServer(), 'nats-server')) return;
    nats = await startNatsServer();
    nc = await connect({ servers: nats.url });
    const fromNats: Message[] = [];
    const sub = nc.subscribe('actions.>');
    void (async () => {
      for await (const m of sub)
        fromNats.push({ subject: m.subject, data: m.json<Record<string, unknown>>() });
    })();

    const config = join(work, 'e2e.yaml');
    const clip = join(fixturesDir, 'reference', 'clip_340x256.mp4');
    writeFileSync(
      config,
      [
        'server: { host: 127.0.0.1, port: 0 }',
        `model: { dir: ${modelDir} }`,
        'defaults:',
        '  windowMs: 2000',
        '  numSeg: 4',
        '  publishPredictions: true',
        // A 10-class fixture model scores about 0.1 per class: a low bar makes the top label an episode
        // at once, and offThreshold 0 keeps it open until the shutdown ends it.
        '  detector: { smoothing: 1, onThreshold: 0.01, offThreshold: 0, minWindowsOn: 1, minWindowsOff: 1, cooldownMs: 0 }',
        'cameras:',
        `  - { id: sim1, url: 'sim://sim1?file=${clip}' }`,
      ].join('\n'),
    );
    const serve = startServe(['--config', config, '--nats', nats.url]);
    const fromWs: Record<string, unknown>[] = [];
    try {
      const url = await waitFor(
        'listening',
        () => serve.logs.find((l) => l.msg === 'listening')?.url as string | undefined,
        60_000,
      );
      const ws = new WebSocket(
        `${url.replace('http:', 'ws:')}/v1/events?cameras=sim1&types=action.started,action.ended,prediction,status`,
      );
      ws.on('message', (data: Buffer) => fromWs.push(JSON.parse(data.toString()) as Record<string, unknown>));
      await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));

      const started = await waitFor(
        'action.started on WebSocket',
        () => fromWs.find((m) => m.type === 'action.started'),
        60_000,
      );
      const label = String(started.label);
      const onNats = await waitFor(
        'the same event on NATS',
        () => fromNats.find((m) => m.data.id === started.id && m.subject === `actions.events.sim1.${label}`),
        60_000,
      );
      assert.deepEqual(onNats.data, started, 'NATS and WebSocket carry the same JSON');
      await waitFor(
        'a prediction on NATS',
        () => fromNats.find((m) => m.subject === 'actions.predictions.sim1'),
        60_000,
      );
      await waitFor('a prediction on WebSocket', () => fromWs.find((m) => m.type === 'prediction'), 60_000);
      await waitFor(
        'status streaming on NATS',
        () => fromNats.find((m) => m.subject === 'actions.status.sim1' && m.data.state === 'streaming'),
        60_000,
      );
      const recent = (await getJson(`${url}/v1/events/recent?camera=sim1`)).body as {
        events: { id: string }[];
      };
      assert.ok(recent.events.some((e) => e.id === started.id));

      const jsm = await nc.jetstreamManager();
      const stored = await waitFor(
        'the event in JetStream',
        async () => {
          const info = await jsm.streams.info('ACTIONS');
          return info.state.messages > 0
            ? jsm.streams.getMessage('ACTIONS', { seq: info.state.first_seq })
            : undefined;
        },
        60_000,
      );
      assert.equal(stored.subject.startsWith('actions.events.sim1.'), true);
      assert.equal(stored.header?.get('Nats-Msg-Id'), stored.json<{ id: string }>().id);

      const children = descendants(serve.child.pid!);
      serve.child.kill('SIGTERM');
      assert.equal(await serve.exited, 0, serve.stderr());
      const ended = await waitFor(
        'action.ended (shutdown) on NATS',
        () => fromNats.find((m) => m.data.type === 'action.ended' && m.data.episodeId === started.episodeId),
        60_000,
      );
      assert.equal(ended.data.endReason, 'shutdown');
      await waitFor('children gone', () => (children.every((p) => !alive(p)) ? true : undefined), 10_000);
      ws.close();
    } finally {
      serve.child.kill('SIGKILL');
      sub.unsubscribe();
    }
  });
});
