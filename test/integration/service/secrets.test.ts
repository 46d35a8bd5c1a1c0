// A camera password with an unencoded `#` and a query secret in substreamUrl never leave a real `tsn serve`:
// not in API bodies, logs, /metrics, NATS or WebSocket status messages; the state file keeps the real URL
// (it must, to restart the camera) but is written 0600 in a 0700 directory.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { connect } from 'nats';
import { WebSocket } from 'ws';
import { convertCheckpoint } from '../../../src/model/convert.js';
import { fixturesDir } from '../../helpers/paths.js';
import { needs } from '../../helpers/tools.js';
import { hasNatsServer, startNatsServer } from '../../helpers/nats-server.js';
import { closedPort, startServe } from './serve-process.js';
import { waitFor } from '../../helpers/wait.js';

const work = mkdtempSync(join(tmpdir(), 'tsn-secrets-'));
const modelDir = join(work, 'model');
const SECRETS = ['Pa#Hash9xx', 'Hash9xx', 'Pa%23Hash9xx', 'Sess10nXyz', 'Sig4tur3Q'];

before(async () => {
  await convertCheckpoint({
    checkpointPath: join(fixturesDir, 'reference', 'tsn_r18_c10_p4.pdparams'),
    outDir: modelDir,
  });
});
after(() => rmSync(work, { recursive: true, force: true }));

function assertNoSecret(where: string, text: string): void {
  for (const secret of SECRETS) {
    assert.equal(text.includes(secret), false, `${where} shows "${secret}":\n${text.slice(0, 2000)}`);
  }
}

test('a password with # and a query secret appear nowhere outside the process', async (t) => {
  if (!needs(t, hasNatsServer(), 'nats-server')) return;
  const nats = await startNatsServer({ jetstream: false });
  t.after(() => nats.cleanup());
  const port = await closedPort();
  const stateFile = join(work, 'state', 'cameras.json');
  const config = join(work, 'serve.yaml');
  writeFileSync(
    config,
    [
      'server: { host: 127.0.0.1, port: 0 }',
      `model: { dir: ${modelDir} }`,
      `nats: { url: '${nats.url}', jetstream: { enabled: false } }`,
      `stateFile: ${stateFile}`,
      'logLevel: debug',
    ].join('\n'),
  );
  const camera = {
    id: 'secret1',
    url: `rtsp://admin:Pa#Hash9xx@127.0.0.1:${port}/live`,
    substreamUrl: `rtsp://admin:Pa#Hash9xx@127.0.0.1:${port}/sub?channel=1&session=Sess10nXyz&X-Amz-Signature=Sig4tur3Q`,
  };

  const serve = startServe(['--config', config]);
  t.after(() => serve.child.kill('SIGKILL'));
  const base = await waitFor(
    'listening',
    () => serve.logs.find((l) => l.msg === 'listening')?.url as string | undefined,
    60_000,
  );
  await waitFor(
    'ready',
    async () => ((await fetch(`${base}/readyz`)).status === 200 ? true : undefined),
    60_000,
  );

  const bus = await connect({ servers: nats.url });
  t.after(() => bus.close());
  const natsTexts: string[] = [];
  const sub = bus.subscribe('>');
  void (async () => {
    for await (const m of sub) natsTexts.push(m.string());
  })();
  await bus.flush();

  const wsTexts: string[] = [];
  const ws = new WebSocket(
    `${base.replace(/^http/, 'ws')}/v1/events?types=status,prediction,action.started,action.ended`,
  );
  t.after(() => ws.terminate());
  ws.on('message', (d: Buffer) => wsTexts.push(d.toString('utf8')));
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });

  const post = await fetch(`${base}/v1/cameras`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(camera),
  });
  const postText = await post.text();
  assert.equal(post.status, 201, postText);
  assertNoSecret('POST /v1/cameras', postText);

  // Wait until ffmpeg failed at least once: its stderr and the error are in the status by then.
  const failed = (texts: string[]) =>
    texts.some((s) => s.includes('secret1') && /"state":"(backoff|failed)"/.test(s)) ? true : undefined;
  await waitFor('a NATS status with the failure', () => failed(natsTexts), 30_000);
  await waitFor('a WebSocket status with the failure', () => failed(wsTexts), 30_000);

  const list = await (await fetch(`${base}/v1/cameras`)).text();
  const one = await (await fetch(`${base}/v1/cameras/secret1`)).text();
  assert.match(one, /rtsp:\/\/\*\*\*@127\.0\.0\.1/, 'the URL is shown, masked');
  assertNoSecret('GET /v1/cameras', list);
  assertNoSecret('GET /v1/cameras/secret1', one);
  assertNoSecret('/metrics', await (await fetch(`${base}/metrics`)).text());
  assertNoSecret('NATS', natsTexts.join('\n'));
  assertNoSecret('WebSocket', wsTexts.join('\n'));

  serve.child.kill('SIGTERM');
  assert.equal(await serve.exited, 0, serve.stderr());
  assertNoSecret('log', JSON.stringify(serve.logs));
  assertNoSecret('stderr', serve.stderr());

  // The state file must keep the real URL to restart the camera: it is private to the service's user.
  const state = readFileSync(stateFile, 'utf8');
  assert.ok(state.includes('Pa#Hash9xx'), 'the state file keeps the real URL');
  assert.equal(statSync(stateFile).mode & 0o777, 0o600);
  assert.equal(statSync(dirname(stateFile)).mode & 0o777, 0o700);
});
