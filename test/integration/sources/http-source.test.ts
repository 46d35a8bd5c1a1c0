import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createReadStream, existsSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createCameraSource, type SupervisedCameraSource } from '../../../src/sources/index.js';
import type { CameraStatus, Frame } from '../../../src/domain/index.js';
import { ffmpegPath, makeClip, run, tempDir, waitForStatus } from './helpers.js';
import { waitFor } from '../../helpers/wait.js';

// Generic URL sources (http, hls) against a local HTTP server.
const dir = tempDir('tsn-http-source-');
const password = 'Http-Secret-77';
let server: Server;
let base = '';
const sources: SupervisedCameraSource[] = [];

before(async () => {
  await makeClip(join(dir.path, 'clip.ts'), 320, 240, 2);
  await run([
    ...['-nostdin', '-loglevel', 'error', '-i', join(dir.path, 'clip.ts'), '-c', 'copy'],
    ...['-f', 'hls', '-hls_time', '1', '-hls_list_size', '0', join(dir.path, 'live.m3u8')],
  ]);
  // A playlist whose segment is a local file: ffmpeg's whitelist for http sources must refuse it.
  const local = join(dir.path, 'clip.ts');
  writeFileSync(
    join(dir.path, 'evil.m3u8'),
    ['#EXTM3U', '#EXT-X-TARGETDURATION:2', '#EXTINF:2.0,', `file:${local}`, '#EXT-X-ENDLIST', ''].join('\n'),
  );
  server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (
      path.startsWith('/private/') &&
      req.headers.authorization !== `Basic ${Buffer.from(`u:${password}`).toString('base64')}`
    ) {
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="cam"' }).end();
      return;
    }
    const file = join(dir.path, path.replace(/^\/(private\/)?/, ''));
    if (!existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200);
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  await Promise.all(sources.map((s) => s.close()));
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  dir.remove();
});

function urlSource(id: string, url: string): SupervisedCameraSource {
  const source = createCameraSource(
    { id, url, sampleFps: 4, backoff: [{ delayMs: 200 }], authRetryDelayMs: 60_000 },
    { ffmpegPath },
  );
  sources.push(source);
  return source;
}

describe('url sources over http', { concurrency: true }, () => {
  test('an HLS playlist delivers 224x224 frames', async () => {
    const source = urlSource('hls', `${base}/live.m3u8`);
    const frames: Frame[] = [];
    source.frames$.subscribe((f) => frames.push(f));
    source.start();
    await waitFor('4 frames over HLS', () => frames.length >= 4, 20_000);
    await source.close();
    assert.ok(frames.every((f) => f.width === 224 && f.height === 224));
  });

  test('a progressive MPEG-TS download that ends is reconnected', async () => {
    const source = urlSource('ts', `${base}/clip.ts`);
    const statuses: CameraStatus[] = [];
    source.status$.subscribe((s) => statuses.push(s));
    source.start();
    await waitFor(
      'streaming twice',
      () => statuses.filter((s) => s.state === 'streaming').length >= 2,
      20_000,
    );
    await source.close();
    const ended = statuses.find((s) => s.state === 'backoff');
    assert.ok(ended?.state === 'backoff');
    assert.equal(ended.error.kind, 'exited');
  });

  test("401 is 'auth' with the long delay; the right password streams; no secret in any status", async () => {
    const wrong = urlSource(
      'http-wrong',
      `http://u:wrong-Http-1@${base.slice('http://'.length)}/private/clip.ts`,
    );
    const right = urlSource(
      'http-right',
      `http://u:${password}@${base.slice('http://'.length)}/private/clip.ts`,
    );
    const statuses: CameraStatus[] = [];
    wrong.status$.subscribe((s) => statuses.push(s));
    right.status$.subscribe((s) => statuses.push(s));
    wrong.start();
    right.start();
    const denied = await waitForStatus(wrong.status$, (s) => s.state === 'backoff', 20_000, 'backoff');
    await waitForStatus(right.status$, (s) => s.state === 'streaming', 20_000, 'streaming');
    await Promise.all([wrong.close(), right.close()]);
    assert.ok(denied.state === 'backoff');
    assert.equal(denied.error.kind, 'auth');
    assert.equal(denied.retryInMs, 60_000);
    const visible = JSON.stringify(statuses);
    assert.equal(visible.includes('wrong-Http-1') || visible.includes(password), false);
  });

  test("an HLS playlist naming a file: segment is refused by the protocol whitelist: 'unsupported', failed", async () => {
    const source = urlSource('hls-file', `${base}/evil.m3u8`);
    let frames = 0;
    source.frames$.subscribe(() => (frames += 1));
    source.start();
    const status = await waitForStatus(source.status$, (s) => s.state === 'failed', 20_000, 'failed');
    await source.close();
    assert.ok(status.state === 'failed');
    assert.equal(status.error.kind, 'unsupported');
    assert.match(status.error.message, /not on whitelist/);
    assert.equal(frames, 0, 'no byte of the local file became a frame');
    assert.equal(source.stats().spawns, 1);
  });

  test("404 is 'not-found'", async () => {
    const source = urlSource('http-404', `${base}/nothing.m3u8`);
    source.start();
    const status = await waitForStatus(source.status$, (s) => s.state === 'backoff', 20_000, 'backoff');
    await source.close();
    assert.ok(status.state === 'backoff');
    assert.equal(status.error.kind, 'not-found');
  });
});
