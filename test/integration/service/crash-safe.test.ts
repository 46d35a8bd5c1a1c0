// Crash-safe streams (issue 11), through a real running service: a subscriber of events$ that throws is
// logged and counted in /metrics, and the publishers (WebSocket) and every camera go on.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import WebSocket from 'ws';
import { configSchema } from '../../../src/config/index.js';
import type { ActionEvent } from '../../../src/domain/index.js';
import { convertCheckpoint } from '../../../src/model/convert.js';
import { startService, type RunningService } from '../../../src/compose/start-service.js';
import { fixturesDir } from '../../helpers/paths.js';
import { waitFor } from '../../helpers/wait.js';

const work = mkdtempSync(join(tmpdir(), 'tsn-crash-safe-'));
const modelDir = join(work, 'model');
const clip = join(fixturesDir, 'reference', 'clip_340x256.mp4');

interface Wire {
  readonly type: string;
  readonly camera?: string;
  readonly cameraId?: string;
}

describe('crash-safe service (in process, real model, sim cameras)', () => {
  let service: RunningService | undefined;
  let client: WebSocket | undefined;
  before(async () => {
    await convertCheckpoint({
      checkpointPath: join(fixturesDir, 'reference', 'tsn_r18_c10_p4.pdparams'),
      outDir: modelDir,
    });
  });
  after(async () => {
    client?.terminate();
    await service?.close();
    rmSync(work, { recursive: true, force: true });
  });

  test('an events$ subscriber that throws: logged, counted in /metrics; WebSocket and both cameras go on', async () => {
    const logs: Record<string, unknown>[] = [];
    const logger = pino(
      { level: 'warn' },
      { write: (line: string) => logs.push(JSON.parse(line) as Record<string, unknown>) },
    );
    const seenByThrower: ActionEvent[] = [];
    const config = configSchema.parse({
      server: { host: '127.0.0.1', port: 0 },
      model: { dir: modelDir, download: false },
      backend: { threads: 1 },
      defaults: {
        windowMs: 1000,
        numSeg: 4,
        publishPredictions: true,
        // Low thresholds: the 10-class fixture model starts an episode on a camera's first window.
        detector: { smoothing: 1, onThreshold: 0.01, offThreshold: 0, minWindowsOn: 1 },
      },
      cameras: [
        { id: 'sim1', url: `sim://sim1?file=${clip}` },
        { id: 'sim2', url: `sim://sim2?file=${clip}` },
      ],
      logLevel: 'silent',
    });
    service = await startService(config, {
      logger,
      ffmpegPath: 'ffmpeg',
      extraEventSubscriber: (event) => {
        seenByThrower.push(event);
        throw new Error('subscriber bug');
      },
    });
    const received: Wire[] = [];
    client = new WebSocket(
      `${service.url.replace('http', 'ws')}/v1/events?types=action.started,action.ended,prediction`,
    );
    client.on('message', (data: Buffer) => received.push(JSON.parse(data.toString()) as Wire));
    await new Promise((resolve, reject) => client!.once('open', resolve).once('error', reject));
    await service.started;

    const cameraOf = (m: Wire) => m.camera ?? m.cameraId;
    const startedFor = (id: string) =>
      received.some((m) => m.type === 'action.started' && cameraOf(m) === id) ? true : undefined;
    await waitFor(
      'action.started of sim1 and sim2 on the WebSocket',
      () => startedFor('sim1') && startedFor('sim2'),
    );
    assert.deepEqual(
      [...new Set(seenByThrower.map((e) => e.camera))].sort(),
      ['sim1', 'sim2'],
      'the thrower got events of both cameras (and threw on each)',
    );

    const errorLogs = logs.filter((l) => l.code === 'E_PIPELINE_SUBSCRIBER');
    assert.equal(errorLogs.length, seenByThrower.length, 'one log line per throw');
    assert.equal(errorLogs[0]?.msg, 'stream error (the service goes on)');
    assert.match(String(errorLogs[0]?.err), /subscriber of events\$ threw \(subscriber bug\)/);

    const thrownBefore = seenByThrower.length;
    const metrics = await (await fetch(`${service.url}/metrics`)).text();
    const counted = /tsn_errors_total\{code="E_PIPELINE_SUBSCRIBER"\} (\d+)/.exec(metrics);
    assert.ok(counted, 'tsn_errors_total{code="E_PIPELINE_SUBSCRIBER"} in /metrics');
    // Events may still arrive while the scrape runs: every throw up to it is counted, none twice.
    assert.ok(Number(counted[1]) >= thrownBefore && Number(counted[1]) <= seenByThrower.length);

    // After the throws, both cameras keep predicting and the WebSocket keeps receiving.
    const predictionsOf = (id: string) =>
      received.filter((m) => m.type === 'prediction' && cameraOf(m) === id).length;
    const before1 = predictionsOf('sim1');
    const before2 = predictionsOf('sim2');
    await waitFor('more predictions of both cameras on the WebSocket', () =>
      predictionsOf('sim1') > before1 && predictionsOf('sim2') > before2 ? true : undefined,
    );
    const recent = (await (await fetch(`${service.url}/v1/events/recent`)).json()) as { events: unknown[] };
    assert.ok(recent.events.length >= 2, 'the recent-events ring got the events too');
  });
});
