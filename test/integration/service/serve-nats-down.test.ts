// Shutdown stays bounded when NATS is gone: a real `tsn serve` publishing to NATS with events coming steadily
// (so the publisher holds a backlog it cannot deliver), NATS stopped while running or never reachable, then
// SIGTERM. The bound checked (6 s) is the shutdown budget (5 s by default) plus slack, not a performance
// figure.
import { test, describe, before, after, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { convertCheckpoint } from '../../../src/model/convert.js';
import { hasNatsServer, startNatsServer } from '../../helpers/nats-server.js';
import { fixturesDir } from '../../helpers/paths.js';
import { needs } from '../../helpers/tools.js';
import { waitFor } from '../../helpers/wait.js';
import { alive, closedPort, descendants, startServe, type Serve } from './serve-process.js';

const work = mkdtempSync(join(tmpdir(), 'tsn-serve-nats-down-'));
const modelDir = join(work, 'model');
const SHUTDOWN_LIMIT_MS = 6000;

async function metric(baseUrl: string, name: string): Promise<number | undefined> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}

function startWithNats(t: TestContext, natsUrl: string): Serve {
  const firstLabel = readFileSync(join(modelDir, 'labels.txt'), 'utf8').split('\n')[0] ?? '';
  const clip = join(fixturesDir, 'reference', 'clip_340x256.mp4');
  const config = join(work, `nats-down-${Date.now()}.yaml`);
  writeFileSync(
    config,
    [
      'server: { host: 127.0.0.1, port: 0 }',
      `model: { dir: ${modelDir} }`,
      'defaults:',
      '  windowMs: 2000',
      '  numSeg: 4',
      '  publishPredictions: true',
      // An event every window (see test/e2e/service-faults.test.ts), so a backlog builds while NATS is down.
      `  detector: { smoothing: 1, onThreshold: 0.001, offThreshold: 0, minWindowsOn: 1, minWindowsOff: 1, cooldownMs: 0, maxWindowGapMs: 1, labels: { allow: ['${firstLabel}'] } }`,
      'cameras:',
      `  - { id: steady, url: 'sim://steady?file=${clip}' }`,
      `nats: { url: '${natsUrl}' }`,
    ].join('\n'),
  );
  const serve = startServe(['--config', config]);
  t.after(() => {
    if (serve.child.exitCode === null) serve.child.kill('SIGKILL');
  });
  return serve;
}

const listening = (serve: Serve): Promise<string> =>
  waitFor(
    'listening',
    () => serve.logs.find((l) => l.msg === 'listening')?.url as string | undefined,
    60_000,
  );

const backlog = (url: string): Promise<true> =>
  waitFor('a backlog for NATS', async () => ((await metric(url, 'tsn_nats_buffered')) ?? 0) > 0, 60_000);

async function assertBoundedShutdown(t: TestContext, serve: Serve): Promise<void> {
  const children = descendants(serve.child.pid ?? -1);
  const signalledAtMs = Date.now();
  serve.child.kill('SIGTERM');
  const exitCode = await Promise.race([
    serve.exited,
    new Promise<'late'>((resolve) => setTimeout(() => resolve('late'), SHUTDOWN_LIMIT_MS).unref()),
  ]);
  const tookMs = Date.now() - signalledAtMs;
  t.diagnostic(`exited ${tookMs} ms after SIGTERM`);
  assert.notEqual(
    exitCode,
    'late',
    `still running ${SHUTDOWN_LIMIT_MS} ms after SIGTERM:\n${serve.stderr()}`,
  );
  assert.equal(exitCode, 0, `exit code after ${tookMs} ms; stderr:\n${serve.stderr()}`);
  assert.deepEqual(children.filter(alive), [], 'no child process outlives the service');
}

describe('tsn serve with NATS down', () => {
  before(async () => {
    await convertCheckpoint({
      checkpointPath: join(fixturesDir, 'reference', 'tsn_r18_c10_p4.pdparams'),
      outDir: modelDir,
    });
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  test('SIGTERM with NATS stopped and events buffered exits 0 within the shutdown budget, leaving no ffmpeg', async (t) => {
    if (!needs(t, hasNatsServer(), 'nats-server')) return;
    const nats = await startNatsServer();
    t.after(() => nats.cleanup());
    const serve = startWithNats(t, nats.url);
    const url = await listening(serve);
    await waitFor(
      'events published to NATS',
      async () => ((await metric(url, 'tsn_nats_published_total')) ?? 0) > 0,
      60_000,
    );
    await nats.stop();
    await waitFor(
      'the service to notice NATS is gone',
      async () => (await metric(url, 'tsn_nats_connected')) === 0,
      30_000,
    );
    await backlog(url);
    await assertBoundedShutdown(t, serve);
  });

  test('SIGTERM with NATS never reachable exits 0 within the shutdown budget', async (t) => {
    const serve = startWithNats(t, `nats://127.0.0.1:${await closedPort()}`);
    await backlog(await listening(serve));
    await assertBoundedShutdown(t, serve);
  });
});
