import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { convertCheckpoint } from '../../../src/model/convert.js';
import { fixturesDir } from '../../helpers/paths.js';
import { alive, closedPort, descendants, getJson, startServe } from './serve-process.js';
import { waitFor } from '../../helpers/wait.js';

const work = mkdtempSync(join(tmpdir(), 'tsn-serve-'));
const modelDir = join(work, 'model');

describe('tsn serve (real process)', () => {
  before(async () => {
    await convertCheckpoint({
      checkpointPath: join(fixturesDir, 'reference', 'tsn_r18_c10_p4.pdparams'),
      outDir: modelDir,
    });
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  test('reaches /readyz on a fixture model, recognises a simulated camera, exits 0 on SIGTERM leaving no ffmpeg; a restart keeps cameras added at run time', async () => {
    const config = join(work, 'serve.yaml');
    const clip = join(fixturesDir, 'reference', 'clip_340x256.mp4');
    writeFileSync(
      config,
      [
        'server: { host: 127.0.0.1, port: 0 }',
        `model: { dir: ${modelDir} }`,
        'defaults: { windowMs: 2000, numSeg: 4 }',
        'cameras:',
        `  - { id: sim1, url: 'sim://sim1?file=${clip}' }`,
        `stateFile: ${join(work, 'state.json')}`,
      ].join('\n'),
    );
    const serve = startServe(['--config', config]);
    try {
      const url = await waitFor(
        'listening',
        () => serve.logs.find((l) => l.msg === 'listening')?.url as string | undefined,
        60_000,
      );
      await waitFor(
        'ready',
        async () => ((await getJson(`${url}/readyz`)).status === 200 ? true : undefined),
        60_000,
      );
      const camera = await waitFor(
        'a prediction',
        async () => {
          const { body } = await getJson(`${url}/v1/cameras/sim1`);
          const view = body as { status: { state: string }; lastPrediction: unknown; fps: number };
          return view.lastPrediction !== null ? view : undefined;
        },
        60_000,
      );
      assert.equal(camera.status.state, 'streaming');
      const metrics = await (await fetch(`${url}/metrics`)).text();
      assert.match(metrics, /tsn_camera_predictions_total\{camera="sim1"\} [1-9]/);

      // A camera added and removed at run time does not disturb the running one.
      type View = { status: { state: string }; lastPrediction: unknown; counters: Record<string, number> };
      const sim1 = async () => (await getJson(`${url}/v1/cameras/sim1`)).body as View;
      const before = await sim1();
      const post = await fetch(`${url}/v1/cameras`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ id: 'sim2', url: `sim://sim2?file=${clip}`, windowMs: 1000, numSeg: 2 }),
      });
      assert.equal(post.status, 201);
      await waitFor(
        'sim2 predicting',
        async () => {
          const view = (await getJson(`${url}/v1/cameras/sim2`)).body as View;
          return view.lastPrediction !== null ? true : undefined;
        },
        60_000,
      );
      assert.equal((await fetch(`${url}/v1/cameras/sim2`, { method: 'DELETE' })).status, 204);
      const after = await sim1();
      assert.equal(after.status.state, 'streaming');
      assert.equal(after.counters.ffmpegSpawns, 1, 'sim1 kept its ffmpeg');
      assert.ok(
        (after.counters.framesIn ?? 0) > (before.counters.framesIn ?? 0),
        'sim1 kept receiving frames',
      );

      const added = await fetch(`${url}/v1/cameras`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ id: 'later', url: 'rtsp://user:pw@127.0.0.1:1/x', enabled: false }),
      });
      assert.equal(added.status, 201);

      const children = descendants(serve.child.pid!);
      assert.ok(children.length >= 2, 'the simulator encoder and the ingest ffmpeg run as children');
      serve.child.kill('SIGTERM');
      assert.equal(await serve.exited, 0, serve.stderr());
      await waitFor('children gone', () => (children.every((p) => !alive(p)) ? true : undefined), 10_000);
      assert.ok(serve.logs.some((l) => l.msg === 'stopped'));
    } finally {
      serve.child.kill('SIGKILL');
    }

    // A restart keeps the camera added at run time (state file).
    const again = startServe(['--config', config]);
    try {
      const url = await waitFor(
        'listening',
        () => again.logs.find((l) => l.msg === 'listening')?.url as string | undefined,
        60_000,
      );
      await waitFor(
        'ready',
        async () => ((await getJson(`${url}/readyz`)).status === 200 ? true : undefined),
        60_000,
      );
      const { body } = await getJson(`${url}/v1/cameras`);
      assert.deepEqual(
        (body as { cameras: { id: string; enabled: boolean }[] }).cameras.map((c) => [c.id, c.enabled]),
        [
          ['sim1', true],
          ['later', false],
        ],
      );
      // The banner names the cameras that run: the state file's, not only the config's.
      const banner = again.logs.map((l) => String(l.msg));
      assert.ok(
        banner.some((line) => line.startsWith('camera later: rtsp://') && line.endsWith('(disabled)')),
      );
      assert.ok(!banner.some((line) => line.includes('pw@')), 'the banner shows no password');
      again.child.kill('SIGTERM');
      assert.equal(await again.exited, 0, again.stderr());
    } finally {
      again.child.kill('SIGKILL');
    }
  });

  test('a config typo stops it with E_CONFIG_UNKNOWN_KEY and the line:col, exit 2', async () => {
    const config = join(work, 'typo.yaml');
    writeFileSync(config, 'server:\n  port: 0\nbatching:\n  maxBach: 4\n');
    const serve = startServe(['--config', config]);
    assert.equal(await serve.exited, 2);
    assert.match(serve.stderr(), /^tsn: error E_CONFIG_UNKNOWN_KEY: .*typo\.yaml:4:3: batching\.maxBach/);
  });

  test('a missing model that cannot be downloaded: one line on stderr saying how to provide it, exit 2', async () => {
    const config = join(work, 'offline.yaml');
    const port = await closedPort();
    writeFileSync(
      config,
      [
        'server: { host: 127.0.0.1, port: 0 }',
        `model: { name: tsn_k400, cacheDir: ${join(work, 'cache')}, urls: { tsn_k400: 'http://127.0.0.1:${port}/TSN_k400.pdparams' } }`,
      ].join('\n'),
    );
    const serve = startServe(['--config', config]);
    assert.equal(await serve.exited, 2);
    const lines = serve.stderr().trim().split('\n');
    assert.equal(lines.length, 1, serve.stderr());
    assert.match(
      lines[0] ?? '',
      /^tsn: error E_MODEL_OFFLINE: .*curl -fL -o TSN_k400\.pdparams http:\/\/127\.0\.0\.1:\d+\/.*--model DIR/,
    );
  });
});
