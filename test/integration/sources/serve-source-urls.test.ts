// Through a real `tsn serve`: camera URLs ffmpeg would open but no camera needs are refused with 400
// E_SOURCE_URL before any process starts; inputs that can never stream end `failed` instead of retrying
// forever; DNS failures say dns; the camera limit holds.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { convertCheckpoint } from '../../../src/model/convert.js';
import { fixturesDir } from '../../helpers/paths.js';
import { descendants, getJson, startServe, type Serve } from '../service/serve-process.js';
import { waitFor } from '../../helpers/wait.js';

const work = mkdtempSync(join(tmpdir(), 'tsn-serve-urls-'));
const modelDir = join(work, 'model');

interface View {
  status: { state: string; error?: { kind: string; message: string } };
  counters: Record<string, number>;
}

/** Command lines of the service's descendants (ffmpeg or anything else it started). */
function childCommands(pid: number): string[] {
  return descendants(pid).flatMap((p) => {
    try {
      return [readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0').join(' ')];
    } catch {
      return [];
    }
  });
}

describe('camera URLs through the API of a real tsn serve', () => {
  let serve: Serve;
  let url = '';

  before(async () => {
    await convertCheckpoint({
      checkpointPath: join(fixturesDir, 'reference', 'tsn_r18_c10_p4.pdparams'),
      outDir: modelDir,
    });
    const config = join(work, 'serve.yaml');
    writeFileSync(
      config,
      [
        'server: { host: 127.0.0.1, port: 0 }',
        `model: { dir: ${modelDir} }`,
        'sources: { maxCameras: 4 }',
        // A camera the service begins with whose file is gone: kept as failed, the service still starts.
        'cameras:',
        "  - { id: gone, url: './no-such-clip.mp4' }",
      ].join('\n'),
    );
    serve = startServe(['--config', config]);
    url = await waitFor(
      'listening',
      () => serve.logs.find((l) => l.msg === 'listening')?.url as string | undefined,
      60_000,
    );
    await waitFor(
      'ready',
      async () => ((await getJson(`${url}/readyz`)).status === 200 ? true : undefined),
      60_000,
    );
  });

  after(async () => {
    serve.child.kill('SIGTERM');
    await serve.exited;
    rmSync(work, { recursive: true, force: true });
  });

  const post = async (body: object) => {
    const res = await fetch(`${url}/v1/cameras`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as { error?: { code: string; message: string } } };
  };
  const view = async (id: string) => (await getJson(`${url}/v1/cameras/${id}`)).body as View;

  test('concat:, unix:, tcp://?listen=1, udp://, gopher://, ftp://, data:, a path outside the roots: 400, no process', async () => {
    const bad = [
      'concat:/etc/passwd|/etc/hosts',
      'unix:/var/run/docker.sock',
      'tcp://127.0.0.1:9999?listen=1',
      'udp://0.0.0.0:9998',
      'gopher://127.0.0.1/x',
      'ftp://127.0.0.1/a.mp4',
      'data:text/plain;base64,AAAA',
      'pipe:0',
      'subfile:,,start,0,end,10,,:/etc/passwd',
      'notaurl',
      '/etc/passwd',
      '/nonexistent/clip.mp4',
      'file:///etc/passwd',
      `sim://s?file=/etc/passwd`,
    ];
    for (const [i, cameraUrl] of bad.entries()) {
      const res = await post({ id: `bad${i}`, url: cameraUrl });
      assert.equal(res.status, 400, cameraUrl);
      assert.equal(res.body.error?.code, 'E_SOURCE_URL', cameraUrl);
      const sub = await post({ id: `badsub${i}`, url: 'rtsp://127.0.0.1:1/x', substreamUrl: cameraUrl });
      assert.equal(sub.status, 400, `substreamUrl ${cameraUrl}`);
      assert.equal(sub.body.error?.code, 'E_SOURCE_URL');
    }
    // Outside the roots, existing and missing files get the same answer: no probing of the disk.
    const [passwd, missing] = await Promise.all([
      post({ id: 'p1', url: '/etc/passwd' }),
      post({ id: 'p2', url: '/nonexistent/clip.mp4' }),
    ]);
    assert.equal(
      passwd.body.error?.message.replace('/etc/passwd', 'X'),
      missing.body.error?.message.replace('/nonexistent/clip.mp4', 'X'),
    );
    assert.deepEqual(childCommands(serve.child.pid!), [], 'no ffmpeg (or anything) was started');
    assert.equal((await getJson(`${url}/v1/cameras`)).body instanceof Object, true);
    const ids = ((await getJson(`${url}/v1/cameras`)).body as { cameras: { id: string }[] }).cameras.map(
      (c) => c.id,
    );
    assert.deepEqual(ids, ['gone']);
  });

  test('a camera whose file vanished before start is failed, not a service that cannot start', async () => {
    const gone = await view('gone');
    assert.equal(gone.status.state, 'failed');
    assert.match(gone.status.error?.message ?? '', /names no file/);
  });

  test("README.md as a camera: 'not-video', failed after one ffmpeg, no retries", async () => {
    assert.equal((await post({ id: 'readme', url: 'README.md' })).status, 201);
    const failed = await waitFor(
      'readme failed',
      async () => {
        const v = await view('readme');
        return v.status.state === 'failed' ? v : undefined;
      },
      60_000,
    );
    assert.equal(failed.status.error?.kind, 'not-video');
    assert.equal(failed.counters.ffmpegSpawns, 1);
  });

  test("a host that does not resolve is 'dns' (not 'refused') and is retried", async () => {
    assert.equal((await post({ id: 'dns', url: 'rtsp://cam.nonexistent.invalid/live' })).status, 201);
    const backoff = await waitFor(
      'dns backoff',
      async () => {
        const v = await view('dns');
        return v.status.state === 'backoff' ? v : undefined;
      },
      60_000,
    );
    assert.equal(backoff.status.error?.kind, 'dns');
  });

  test('maxCameras: the next POST is 409 E_SOURCE_CAMERA_LIMIT and starts nothing', async () => {
    assert.equal((await post({ id: 'off', url: 'rtsp://127.0.0.1:1/x', enabled: false })).status, 201);
    const before = descendants(serve.child.pid!).length;
    const res = await post({ id: 'fifth', url: 'rtsp://127.0.0.1:1/y' });
    assert.equal(res.status, 409);
    assert.equal(res.body.error?.code, 'E_SOURCE_CAMERA_LIMIT');
    assert.match(res.body.error?.message ?? '', /sources\.maxCameras/);
    assert.ok(descendants(serve.child.pid!).length <= before);
    assert.equal((await fetch(`${url}/v1/cameras/off`, { method: 'DELETE' })).status, 204);
    assert.equal((await post({ id: 'fifth', url: 'rtsp://127.0.0.1:1/y', enabled: false })).status, 201);
  });

  test('a backoff below the 250 ms floor is a 400 (validation), not a spawn loop', async () => {
    const res = await post({ id: 'fast', url: 'rtsp://127.0.0.1:1/z', backoff: [{ delayMs: 0 }] });
    assert.equal(res.status, 400);
    assert.match(res.body.error?.message ?? '', /at least 250/);
  });
});
