// A camera with a substream in a real `tsn serve`: recognition's ffmpeg decodes substreamUrl, the live
// view's encoder reads the main url, and the API shows both redacted. File cameras stand in for a
// camera's two streams (the URL choice is the same for every ffmpeg source: sources/registry.ts).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { convertCheckpoint } from '../../../src/model/convert.js';
import { fixturesDir } from '../../helpers/paths.js';
import { hasCommand, needs } from '../../helpers/tools.js';
import { waitFor } from '../../helpers/wait.js';
import { alive, descendants, getJson, startServe } from './serve-process.js';

const work = mkdtempSync(join(tmpdir(), 'tsn-substream-'));
const main = join(work, 'main-stream.mp4');
const sub = join(work, 'sub-stream.mp4');

before(async () => {
  copyFileSync(join(fixturesDir, 'reference', 'clip_400x300.mp4'), main);
  copyFileSync(join(fixturesDir, 'reference', 'clip_340x256.mp4'), sub);
  await convertCheckpoint({
    checkpointPath: join(fixturesDir, 'reference', 'tsn_r18_c10_p4.pdparams'),
    outDir: join(work, 'model'),
  });
});
after(() => rmSync(work, { recursive: true, force: true }));

/** The command lines of the service's live ffmpeg children. */
function ffmpegArgvs(pid: number): string[][] {
  return descendants(pid)
    .filter(alive)
    .map((p) => {
      try {
        return readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0');
      } catch {
        return [];
      }
    })
    .filter((argv) => /ffmpeg/.test(argv[0] ?? ''));
}

const reads = (argv: readonly string[], file: string): boolean => argv.some((a) => a.endsWith(file));

test('recognition decodes the substream; the live view encodes the main stream', async (t) => {
  if (!needs(t, hasCommand('ffmpeg', ['-version']), 'ffmpeg')) return;
  const config = join(work, 'serve.yaml');
  writeFileSync(
    config,
    [
      'server: { host: 127.0.0.1, port: 0 }',
      `model: { dir: ${join(work, 'model')} }`,
      `sources: { fileRoots: ['${work}'] }`,
      'defaults: { windowMs: 2000, numSeg: 4, loop: true }',
      'cameras:',
      `  - { id: cam, url: '${main}', substreamUrl: '${sub}' }`,
    ].join('\n'),
  );
  const serve = startServe(['--config', config]);
  t.after(async () => {
    serve.child.kill('SIGTERM');
    await serve.exited;
  });
  const pid = serve.child.pid ?? -1;
  const base = await waitFor(
    'listening',
    () => serve.logs.find((l) => l.msg === 'listening')?.url as string | undefined,
    60_000,
  );
  await waitFor(
    'a prediction',
    async () => {
      const { body } = await getJson(`${base}/v1/cameras/cam`);
      return ((body as { lastPrediction?: unknown }).lastPrediction ?? null) !== null ? true : undefined;
    },
    90_000,
  );
  const ingest = ffmpegArgvs(pid);
  assert.equal(ingest.length, 1, `one ffmpeg before anyone watches: ${JSON.stringify(ingest)}`);
  assert.ok(reads(ingest[0] ?? [], 'sub-stream.mp4'), 'recognition reads the substream');
  assert.ok(!reads(ingest[0] ?? [], 'main-stream.mp4'), 'recognition does not decode the main stream');

  const { body } = await getJson(`${base}/v1/cameras/cam`);
  const camera = body as { url?: string; substreamUrl?: string };
  assert.ok(camera.url?.endsWith('main-stream.mp4') === true, `url ${camera.url}`);
  assert.ok(camera.substreamUrl?.endsWith('sub-stream.mp4') === true, `substreamUrl ${camera.substreamUrl}`);

  const viewer = new WebSocket(`${base.replace(/^http/, 'ws')}/v1/live/cam`);
  t.after(() => viewer.close());
  let bytes = 0;
  viewer.on('message', (data: Buffer) => (bytes += data.length));
  const live = await waitFor(
    'the live encoder',
    () => ffmpegArgvs(pid).find((argv) => reads(argv, 'main-stream.mp4')),
    60_000,
  );
  assert.ok(!reads(live, 'sub-stream.mp4'), 'the live view does not show the substream');
  await waitFor('live view bytes', () => (bytes > 0 ? true : undefined), 60_000);
});
