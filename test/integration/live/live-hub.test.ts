// The live hub against the real RTSP simulator and a real ffmpeg: viewers share one encoder, get an H.264
// init segment and fragments, the encoder stops after the last viewer, close() leaves no ffmpeg.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { createLiveHub, type LiveHub, type LiveSource } from '../../../src/live/index.js';
import { resolveIngestTarget } from '../../../src/sources/registry.js';
import { startRtspSimulator, type RtspSimulator } from '../../../simulators/rtsp-camera/index.js';
import { fixturesDir } from '../../helpers/paths.js';
import { hasCommand, needs } from '../../helpers/tools.js';
import { alive } from '../service/serve-process.js';
import { waitFor } from '../../helpers/wait.js';

const clip = join(fixturesDir, 'reference', 'clip_340x256.mp4');
const token = 'a-token-of-sixteen-chars';

/** A camera URL as the service hands it to the live view: through the source table. */
function ready(url: string): LiveSource {
  return { state: 'ready', source: resolveIngestTarget(url, undefined) };
}

function cmdlineOf(pid: number): string[] {
  return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
}

interface Received {
  readonly texts: Record<string, unknown>[];
  readonly binaries: Buffer[];
  closeCode?: number;
  error?: string;
}

function watch(url: string, headers: Record<string, string> = {}): { ws: WebSocket; got: Received } {
  const ws = new WebSocket(url, { headers });
  const got: Received = { texts: [], binaries: [] };
  ws.on('message', (data: Buffer, isBinary) =>
    isBinary
      ? got.binaries.push(data)
      : got.texts.push(JSON.parse(data.toString()) as Record<string, unknown>),
  );
  ws.on('close', (code) => (got.closeCode = code));
  ws.on('error', (error) => (got.error = error.message));
  return { ws, got };
}

/** This test's live encoders: ffmpeg children of this process writing fragmented MP4 (read from /proc). */
function liveEncoders(): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const live = cmd.includes('frag_keyframe+empty_moov+default_base_moof');
      if (ppid === process.pid && live && alive(Number(entry))) found.push(Number(entry));
    } catch {
      // gone while we looked
    }
  }
  return found;
}

describe('live view hub (real simulator, real ffmpeg)', () => {
  let simulator: RtspSimulator | undefined;
  let server: Server | undefined;
  let hub: LiveHub | undefined;
  let base = '';

  before(async () => {
    server = createServer((_req, res) => res.writeHead(404).end());
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    base = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await hub?.close();
    await simulator?.close();
    await new Promise((r) => server?.close(r));
  });

  test('two viewers share one encoder: codec + init + fragments; it stops after the last leaves; auth; close() leaves no ffmpeg', async (t) => {
    if (!needs(t, hasCommand('ffmpeg', ['-version']), 'ffmpeg')) return;
    const known = new Set(['cam', 'wcam']);
    simulator = await startRtspSimulator({
      cameras: [
        { name: 'cam', file: clip },
        { name: 'cam2', file: clip },
      ],
      ffmpegPath: 'ffmpeg',
    });
    let input = simulator.url('cam');
    hub = createLiveHub({
      server: server!,
      ffmpegPath: 'ffmpeg',
      inputOf: (id) =>
        id === 'cam'
          ? ready(input)
          : {
              state: 'unavailable',
              code: 'E_LIVE_UNAVAILABLE',
              reason: 'whip:// cameras have no live view',
            },
      cameraExists: (id) => known.has(id),
      ownedElsewhere: (path) => path === '/v1/events',
      authorize: (req) => req.headers.authorization === `Bearer ${token}`,
      lingerMs: 300,
      sweepMs: 200,
    });
    const auth = { authorization: `Bearer ${token}` };

    const elsewhere = watch(`${base}/v1/other`, auth);
    const denied = watch(`${base}/v1/live/cam`);
    const unknown = watch(`${base}/v1/live/nope`, auth);
    await waitFor('rejections', () =>
      [denied, unknown, elsewhere].every((v) => v.ws.readyState === WebSocket.CLOSED) ? true : undefined,
    );
    assert.match(String(denied.got.error), /401/);
    assert.match(String(unknown.got.error), /404/);
    assert.match(String(elsewhere.got.error), /404/, 'a path nobody owns is answered, not left hanging');

    const a = watch(`${base}/v1/live/cam`, auth);
    const b = watch(`${base}/v1/live/cam`, auth);
    for (const v of [a, b]) {
      await waitFor('init and two fragments', () => (v.got.binaries.length >= 3 ? true : undefined), 30_000);
      assert.equal(v.got.texts[0]?.op, 'init');
      assert.match(String(v.got.texts[0]?.codec), /^avc1\.[0-9a-f]{6}$/);
      assert.equal(v.got.texts[0]?.mode, 'copy');
      assert.equal(v.got.binaries[0]?.toString('latin1', 4, 8), 'ftyp');
      assert.equal(v.got.binaries[1]?.toString('latin1', 4, 8), 'moof');
    }
    assert.equal(hub.stats().cam?.encoderStarts, 1, 'one encoder for both viewers');
    assert.equal(liveEncoders().length, 1);
    const argv = cmdlineOf(liveEncoders()[0]!);
    assert.equal(
      argv[argv.indexOf('-protocol_whitelist') + 1],
      'rtsp,rtp,udp,tcp',
      'the live encoder gets the source table whitelist, as the recognition ingest does',
    );

    // A camera with nothing to watch (whip://): told why with a stable code, closed with 4404, no ffmpeg.
    const whip = watch(`${base}/v1/live/wcam`, auth);
    await waitFor('whip viewer closed', () => (whip.got.closeCode !== undefined ? true : undefined));
    assert.deepEqual(whip.got.texts, [
      { op: 'unavailable', code: 'E_LIVE_UNAVAILABLE', reason: 'whip:// cameras have no live view' },
    ]);
    assert.equal(whip.got.closeCode, 4404);
    assert.equal(liveEncoders().length, 1, 'no encoder started for it');

    a.ws.close();
    b.ws.close();
    await waitFor('encoder stopped after the last viewer', () =>
      hub!.stats().cam?.encoderRunning !== true && liveEncoders().length === 0 ? true : undefined,
    );

    const c = watch(`${base}/v1/live/cam`, auth);
    await waitFor(
      'a new encoder for a new viewer',
      () => (c.got.binaries.length >= 2 ? true : undefined),
      30_000,
    );
    assert.equal(liveEncoders().length, 1);
    // The camera is removed: its viewer is closed and its encoder stops.
    known.delete('cam');
    await waitFor('viewer of a removed camera closed', () =>
      c.got.closeCode !== undefined ? true : undefined,
    );
    assert.equal(c.got.closeCode, 1000);
    await waitFor('encoder of a removed camera stopped', () =>
      liveEncoders().length === 0 ? true : undefined,
    );

    known.add('cam');
    const d = watch(`${base}/v1/live/cam`, auth);
    await waitFor('watching again', () => (d.got.binaries.length >= 2 ? true : undefined), 30_000);
    // The camera's URL changes (PATCH): the encoder restarts on the new URL and the viewer gets a new init.
    const startsBefore = hub.stats().cam?.encoderStarts ?? 0;
    input = simulator.url('cam2');
    // Wait for the restart itself: under load a second init alone could come before it.
    await waitFor(
      'the encoder restarted on the new URL',
      () => ((hub!.stats().cam?.encoderStarts ?? 0) > startsBefore ? true : undefined),
      30_000,
    );
    await waitFor(
      'a new init segment from the new URL',
      () => (d.got.texts.filter((m) => m.op === 'init').length >= 2 ? true : undefined),
      30_000,
    );
    assert.equal(hub.stats().cam?.encoderStarts, startsBefore + 1, 'one restart, on the new URL');
    await hub.close();
    assert.deepEqual(liveEncoders(), [], 'close() leaves no live encoder');
    await waitFor('viewer closed', () => (d.got.closeCode !== undefined ? true : undefined));
    assert.equal(d.got.closeCode, 1001);
  });
});
