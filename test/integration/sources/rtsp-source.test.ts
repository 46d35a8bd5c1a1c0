import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { startRtspSimulator, type RtspSimulator } from '../../../simulators/rtsp-camera/index.js';
import {
  createCameraSource,
  probeFfmpegCapabilities,
  type SourceOptions,
  type SupervisedCameraSource,
} from '../../../src/sources/index.js';
import type { CameraStatus, Frame } from '../../../src/domain/index.js';
import { repoRoot } from '../../helpers/paths.js';
import { ffmpegPath, ingestChildren, isAlive, makeClip, tempDir, waitForStatus } from './helpers.js';
import { waitFor } from '../../helpers/wait.js';

// Against the project's RTSP camera simulator (real RTSP/RTP over loopback, H.264 from ffmpeg).
const dir = tempDir('tsn-rtsp-source-');
const auth = { username: 'viewer', password: 'Zebra-Secret-42', scheme: 'digest' as const };
const manyNames = Array.from({ length: 8 }, (_, i) => `m${i}`);
let sim: RtspSimulator;
const sources: SupervisedCameraSource[] = [];

before(async () => {
  const clip = await makeClip(join(dir.path, 'c320.mp4'), 320, 240, 3);
  const names = [
    'main',
    'drop',
    'stall',
    'corrupt',
    'healthy',
    'change',
    'udp',
    'old',
    'slow',
    'busy',
    'picked-corrupt',
    'picked-change',
    ...manyNames,
  ];
  sim = await startRtspSimulator({
    ffmpegPath,
    cameras: [...names.map((name) => ({ name, file: clip })), { name: 'locked', file: clip, auth }],
  });
});

after(async () => {
  await Promise.all(sources.map((s) => s.close()));
  await sim.close();
  dir.remove();
});

function rtspSource(id: string, url: string, over: Partial<SourceOptions> = {}): SupervisedCameraSource {
  const source = createCameraSource(
    {
      id,
      url,
      sampleFps: 4,
      stallTimeoutMs: 4_000,
      connectTimeoutMs: 15_000,
      backoff: [{ delayMs: 500, times: Infinity }],
      killGraceMs: 1_000,
      ...over,
    },
    { ffmpegPath },
  );
  sources.push(source);
  return source;
}

function record(
  source: { status$: { subscribe(f: (s: CameraStatus) => void): unknown } },
  into: CameraStatus[],
): void {
  source.status$.subscribe((s) => into.push(s));
}

const streaming = (s: CameraStatus): boolean => s.state === 'streaming';

// The cases use different simulated cameras and run side by side to keep the suite short.
describe('rtsp source against the camera simulator', { concurrency: true }, () => {
  test('frames flow: 224x224, ptsMs strictly increasing by 250 ms at 4 frames/s', async () => {
    const source = rtspSource('main', sim.url('main'));
    const frames: Frame[] = [];
    source.frames$.subscribe((f) => frames.push(f));
    source.start();
    await waitFor('6 frames', () => frames.length >= 6, 20_000);
    await source.close();
    assert.ok(frames.every((f) => f.width === 224 && f.height === 224 && f.rgb.length === 224 * 224 * 3));
    assert.ok(frames.slice(1).every((f, i) => f.ptsMs - (frames[i]?.ptsMs ?? 0) === 250));
  });

  test('after a dropped connection the camera streams again after one backoff step', async () => {
    sim.setFault('drop', { dropAfterMs: 4_000 });
    const source = rtspSource('drop', sim.url('drop'));
    const statuses: CameraStatus[] = [];
    record(source, statuses);
    source.status$.subscribe((s) => {
      if (s.state === 'backoff') sim.clearFaults('drop');
    });
    source.start();
    const dropped = await waitForStatus(
      source.status$,
      (s) => s.state === 'backoff',
      20_000,
      'backoff after the drop',
    );
    await waitForStatus(source.status$, streaming, 20_000, 'streaming again');
    await source.close();
    assert.ok(dropped.state === 'backoff');
    assert.equal(dropped.retryInMs, 500);
    const reconnect = statuses.find((s) => s.state === 'connecting' && s.sinceMs > dropped.sinceMs);
    assert.ok(reconnect !== undefined);
    const waitedMs = reconnect.sinceMs - dropped.sinceMs;
    assert.ok(waitedMs >= 500 && waitedMs < 1_500, `reconnected ${waitedMs} ms after the drop`);
  });

  test("a stalled stream trips the watchdog: backoff 'stalled', then streaming again", async () => {
    const source = rtspSource('stall', sim.url('stall'), { stallTimeoutMs: 1_500 });
    const frames: Frame[] = [];
    const statuses: CameraStatus[] = [];
    record(source, statuses);
    source.frames$.subscribe((f) => frames.push(f));
    source.start();
    await waitForStatus(source.status$, streaming, 20_000, 'streaming');
    sim.setFault('stall', { stall: true });
    const stalled = await waitForStatus(source.status$, (s) => s.state === 'backoff', 10_000, 'backoff');
    const spawnsAtStall = source.stats().spawns;
    assert.ok(stalled.state === 'backoff');
    assert.equal(stalled.error.kind, 'stalled');
    sim.clearFaults('stall');
    await waitForStatus(source.status$, streaming, 20_000, 'streaming again');
    const before = frames.length;
    await waitFor('frames after the stall', () => frames.length > before, 10_000);
    await source.close();
    assert.ok(
      frames.slice(1).every((f, i) => f.ptsMs > (frames[i]?.ptsMs ?? 0)),
      'ptsMs keeps increasing across the reconnect',
    );
    assert.equal(source.stats().spawns, spawnsAtStall + 1, JSON.stringify(statuses));
  });

  test("wrong credentials: fault 'auth', a long retry delay, no tight loop, no secret anywhere", async () => {
    const logged: string[] = [];
    const logger = {
      info: (f: object, m: string) => logged.push(m + JSON.stringify(f)),
      warn: (f: object, m: string) => logged.push(m + JSON.stringify(f)),
    };
    const wrong = createCameraSource(
      {
        id: 'locked-wrong',
        url: sim.url('locked', { username: 'viewer', password: 'wrong-Pass-99' }),
        sampleFps: 4,
        backoff: [{ delayMs: 100, times: Infinity }],
        authRetryDelayMs: 60_000,
      },
      { ffmpegPath, logger },
    );
    sources.push(wrong);
    const right = rtspSource('locked-right', sim.url('locked', auth));
    const statuses: CameraStatus[] = [];
    record(wrong, statuses);
    wrong.start();
    right.start();
    const denied = await waitForStatus(wrong.status$, (s) => s.state === 'backoff', 20_000, 'backoff');
    assert.ok(denied.state === 'backoff');
    assert.equal(denied.error.kind, 'auth');
    assert.equal(denied.retryInMs, 60_000);
    await waitForStatus(right.status$, streaming, 20_000, 'the right credentials stream');
    // The short schedule (100 ms) would have retried ~20 times by now; auth waits the long delay.
    await new Promise((r) => setTimeout(r, 2_000));
    assert.equal(wrong.stats().spawns, 1);
    await Promise.all([wrong.close(), right.close()]);
    const visible = JSON.stringify(statuses) + logged.join('\n');
    assert.equal(visible.includes('wrong-Pass-99'), false);
    assert.ok(
      logged.some((l) => l.includes('rtsp://***@')),
      'the redacted URL is logged',
    );
  });

  test("a camera slower to start than connectTimeoutMs is 'timeout', then retried", async () => {
    sim.setFault('slow', { slowStartMs: 8_000 });
    const source = rtspSource('slow', sim.url('slow'), { connectTimeoutMs: 1_500 });
    source.start();
    const status = await waitForStatus(source.status$, (s) => s.state === 'backoff', 20_000, 'backoff');
    assert.ok(status.state === 'backoff');
    assert.equal(status.error.kind, 'timeout');
    await waitFor('a second attempt', () => source.stats().spawns >= 2, 20_000);
    await source.close();
  });

  test("a camera answering 503 is 'refused'", async () => {
    sim.setFault('busy', { refuse: true });
    const source = rtspSource('busy', sim.url('busy'));
    source.start();
    const status = await waitForStatus(source.status$, (s) => s.state === 'backoff', 20_000, 'backoff');
    await source.close();
    assert.ok(status.state === 'backoff');
    assert.equal(status.error.kind, 'refused');
  });

  test("an unknown path is 'not-found'", async () => {
    const source = rtspSource('missing', sim.url('no-such-camera'));
    source.start();
    const status = await waitForStatus(source.status$, (s) => s.state === 'backoff', 20_000, 'backoff');
    await source.close();
    assert.ok(status.state === 'backoff');
    assert.equal(status.error.kind, 'not-found');
  });

  test('a corrupt stream neither crashes the service nor disturbs another camera', async () => {
    sim.setFault('corrupt', { corruptPercent: 20, seed: 7 });
    const corrupt = rtspSource('corrupt', sim.url('corrupt'));
    const healthy = rtspSource('healthy', sim.url('healthy'));
    const corruptFrames: Frame[] = [];
    const healthyFrames: Frame[] = [];
    const healthyStatuses: CameraStatus[] = [];
    record(healthy, healthyStatuses);
    corrupt.frames$.subscribe((f) => corruptFrames.push(f));
    healthy.frames$.subscribe((f) => healthyFrames.push(f));
    corrupt.start();
    healthy.start();
    await waitFor('3 s of frames from the healthy camera', () => healthyFrames.length >= 12, 30_000);
    await Promise.all([corrupt.close(), healthy.close()]);
    const firstStreaming = healthyStatuses.findIndex(streaming);
    assert.deepEqual(
      healthyStatuses.slice(firstStreaming + 1).map((s) => s.state),
      ['stopped'],
      `the healthy camera streamed without interruption: ${JSON.stringify(healthyStatuses)}`,
    );
    assert.ok(healthyFrames.slice(1).every((f, i) => f.ptsMs - (healthyFrames[i]?.ptsMs ?? 0) === 250));
    assert.ok(corruptFrames.every((f) => f.rgb.length === 224 * 224 * 3));
  });

  test('a camera that changes resolution mid-stream keeps delivering 224x224 frames', async () => {
    sim.setFault('change', { changeResolution: { width: 640, height: 360, afterMs: 1_000 } });
    const source = rtspSource('change', sim.url('change'));
    const frames: Frame[] = [];
    source.frames$.subscribe((f) => frames.push(f));
    source.start();
    await waitForStatus(source.status$, streaming, 20_000, 'streaming');
    const since = Date.now();
    await waitFor(
      'frames after the change',
      () => frames.filter((f) => f.wallMs > since + 2_000).length >= 4,
      20_000,
    );
    await source.close();
    assert.ok(frames.every((f) => f.width === 224 && f.height === 224 && f.rgb.length === 224 * 224 * 3));
  });

  test("decode 'picked' over RTSP: through corruption and a resolution change, whole frames; fewer units decoded", async () => {
    sim.setFault('picked-corrupt', { corruptPercent: 20, seed: 7 });
    sim.setFault('picked-change', { changeResolution: { width: 640, height: 360, afterMs: 1_000 } });
    const picked = { decode: 'picked', sampleFps: 2, segmentMs: 1000 } as const;
    const cameras = ['picked-corrupt', 'picked-change'].map((name) =>
      rtspSource(name, sim.url(name), picked),
    );
    const frames = new Map<string, Frame[]>();
    for (const c of cameras)
      c.frames$.subscribe((f) => frames.set(f.cameraId, [...(frames.get(f.cameraId) ?? []), f]));
    for (const c of cameras) c.start();
    // The rhythm is known after two keyframe intervals; from then on units are dropped. (Not on the
    // changing camera: its encoder restarts with the new size, which moves its keyframes off the
    // timeline the decoder was aligned to, so nearly every unit up to the next pick is needed.)
    await waitFor(
      '6 s of frames from both, units dropped on the corrupt one',
      () =>
        cameras.every((c) => (frames.get(c.cameraId)?.length ?? 0) >= 12) &&
        (cameras[0]?.stats().decodeGate?.dropped ?? 0) > 0,
      45_000,
    );
    const pids = cameras.map((c) => c.stats().pid);
    await Promise.all(cameras.map((c) => c.close()));
    for (const list of frames.values())
      assert.ok(list.every((f) => f.width === 224 && f.height === 224 && f.rgb.length === 224 * 224 * 3));
    const changed = frames.get('picked-change') ?? [];
    assert.ok(changed.slice(1).every((f, i) => f.ptsMs - (changed[i]?.ptsMs ?? 0) === 500));
    assert.equal(cameras[1]?.stats().spawns, 1, 'the resolution change kept the connection');
    const urls = ['picked-corrupt', 'picked-change'].map((n) => sim.url(n));
    assert.deepEqual(
      ingestChildren((argv) => argv.some((a) => urls.includes(a) || a === 'pipe:0')),
      [],
      'neither the demuxers nor the decoders are left',
    );
    assert.deepEqual(pids.filter((p): p is number => p !== undefined).filter(isAlive), []);
  });

  test('rtp over udp works too', async () => {
    const source = rtspSource('udp', sim.url('udp'), { rtspTransport: 'udp' });
    let count = 0;
    source.frames$.subscribe(() => (count += 1));
    source.start();
    await waitFor('4 frames over udp', () => count >= 4, 20_000);
    await source.close();
  });

  test('the static ffmpeg 4 of @ffmpeg-installer (-stimeout) streams rtsp too', async (t) => {
    const installer = join(repoRoot, 'node_modules', '@ffmpeg-installer', 'linux-x64', 'ffmpeg');
    if (!existsSync(installer))
      return t.skip('@ffmpeg-installer/linux-x64 is not installed on this platform');
    const source = createCameraSource(
      { id: 'old', url: sim.url('old'), sampleFps: 4, connectTimeoutMs: 15_000 },
      { ffmpegPath: installer, capabilities: probeFfmpegCapabilities(installer) },
    );
    sources.push(source);
    let count = 0;
    source.frames$.subscribe(() => (count += 1));
    source.start();
    await waitFor('4 frames through ffmpeg 4', () => count >= 4, 20_000);
    await source.close();
  });

  test('8 cameras at once all deliver frames; close() leaves no ffmpeg behind', async () => {
    const many = manyNames.map((name) => rtspSource(name, sim.url(name)));
    const counts = new Map<string, number>();
    for (const s of many)
      s.frames$.subscribe((f) => counts.set(f.cameraId, (counts.get(f.cameraId) ?? 0) + 1));
    for (const s of many) s.start();
    await waitFor(
      '4 frames from each of 8 cameras',
      () => manyNames.every((n) => (counts.get(n) ?? 0) >= 4),
      45_000,
    );
    const pids = many.map((s) => s.stats().pid).filter((p): p is number => p !== undefined);
    assert.ok(pids.length >= 1);
    await Promise.all(many.map((s) => s.close()));
    const urls = manyNames.map((n) => sim.url(n));
    assert.deepEqual(
      ingestChildren((argv) => argv.some((a) => urls.includes(a))),
      [],
    );
    assert.deepEqual(pids.filter(isAlive), []);
  });
});

describe('after every rtsp case', () => {
  test('no ingest ffmpeg is left running', () => {
    assert.deepEqual(ingestChildren(), []);
  });
});
