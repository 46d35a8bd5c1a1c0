// Both source kinds (ffmpeg camera, WHIP camera) through their real shell, in virtual time: a TestScheduler
// drives every timer, fake processes and fake WHIP peers stand in for ffmpeg and WebRTC.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { TestScheduler } from 'rxjs/testing';
import type { CameraStatus, Frame } from '../../../src/domain/index.js';
import {
  createCameraSource,
  ffmpeg51,
  type SourceOptions,
  type SourceProcess,
  type SpawnProcess,
} from '../../../src/sources/index.js';
import type { FfmpegProcessHandlers } from '../../../src/sources/ffmpeg-process.js';
import {
  createWhipCameraSource,
  type WhipDecoder,
  type WhipSessionLike,
  type WhipSessionOptions,
} from '../../../src/sources/webrtc/index.js';
import type { IvfDecoderHandlers } from '../../../src/sources/webrtc/ivf-decoder.js';

const output = { width: 4, height: 2, mode: 'scale' as const, shortSide: 2 };
const frameBytes = output.width * output.height * 3;

/** Virtual time: the TestScheduler runs the source's timers; advanceTo() moves the clock and fires them. */
class VirtualTime {
  readonly scheduler = new TestScheduler((a, b) => assert.deepEqual(a, b));

  get nowMs(): number {
    return this.scheduler.now();
  }

  advanceTo(ms: number): void {
    assert.ok(ms >= this.nowMs, 'time only moves forward');
    this.scheduler.maxFrames = ms;
    this.scheduler.flush();
    this.scheduler.frame = ms;
  }

  advanceBy(ms: number): void {
    this.advanceTo(this.nowMs + ms);
  }

  /** Timers still armed (a closed source must leave none). */
  get pendingTimers(): number {
    return this.scheduler.actions.length;
  }
}

/** A scripted ffmpeg: the test writes its stdout and decides when it exits; SIGTERM ends it 20 ms later. */
class FakeFfmpeg implements SourceProcess {
  private exited = false;
  private resolveExit: () => void = () => undefined;
  private readonly exit = new Promise<void>((resolve) => (this.resolveExit = resolve));
  kills = 0;

  constructor(
    readonly pid: number,
    readonly spawnedAtMs: number,
    private readonly handlers: FfmpegProcessHandlers,
    private readonly time: VirtualTime,
  ) {}

  frames(count: number): void {
    this.handlers.onStdout(Buffer.alloc(count * frameBytes, 7));
  }

  exits(code: number, stderr = ''): void {
    if (this.exited) return;
    this.exited = true;
    if (stderr !== '') this.handlers.onStderr(stderr);
    this.handlers.onClose({ code, signal: null });
    this.resolveExit();
  }

  kill(): Promise<void> {
    this.kills += 1;
    this.time.scheduler.schedule(() => {
      if (this.exited) return;
      this.exited = true;
      this.handlers.onClose({ code: null, signal: 'SIGTERM' });
      this.resolveExit();
    }, 20);
    return this.exit;
  }
}

function ffmpegCamera(over: Partial<SourceOptions> = {}) {
  const time = new VirtualTime();
  const processes: FakeFfmpeg[] = [];
  const spawn: SpawnProcess = (_path, _args, handlers) => {
    const proc = new FakeFfmpeg(100 + processes.length, time.nowMs, handlers, time);
    processes.push(proc);
    return proc;
  };
  const source = createCameraSource(
    {
      id: 'cam',
      url: 'rtsp://cam.test/live',
      sampleFps: 4,
      output,
      stallTimeoutMs: 5_000,
      connectTimeoutMs: 8_000,
      ...over,
    },
    { ffmpegPath: 'ffmpeg', capabilities: ffmpeg51, scheduler: time.scheduler, spawn },
  );
  const statuses: CameraStatus[] = [];
  const frames: Frame[] = [];
  source.status$.subscribe((s) => statuses.push(s));
  source.frames$.subscribe((f) => frames.push(f));
  const last = () => statuses.at(-1);
  const current = () => processes.at(-1) as FakeFfmpeg;
  return { time, source, statuses, frames, processes, last, current };
}

describe('ffmpeg camera source in virtual time (fake ffmpeg, TestScheduler)', () => {
  test('stall: no frame for stallTimeoutMs -> kill, backoff stalled, respawn after 1 s, streaming again', async () => {
    const cam = ffmpegCamera();
    cam.source.start();
    assert.deepEqual(cam.last(), { state: 'connecting', attempt: 1, sinceMs: 0 });
    cam.time.advanceTo(300);
    cam.current().frames(3);
    assert.deepEqual(cam.last(), { state: 'streaming', sinceMs: 300, width: 4, height: 2 });
    cam.time.advanceTo(5_299);
    assert.equal(cam.current().kills, 0, 'one ms before the watchdog');
    cam.time.advanceTo(5_300);
    assert.equal(cam.current().kills, 1);
    const stalled = cam.last();
    assert.ok(stalled?.state === 'backoff');
    assert.deepEqual([stalled.error.kind, stalled.retryInMs, stalled.sinceMs], ['stalled', 1_000, 5_300]);
    cam.time.advanceTo(6_299);
    assert.equal(cam.processes.length, 1, 'waits for the retry time');
    cam.time.advanceTo(6_300);
    assert.deepEqual(
      cam.processes.map((p) => p.spawnedAtMs),
      [0, 6_300],
    );
    assert.deepEqual(cam.last(), { state: 'connecting', attempt: 2, sinceMs: 6_300 });
    cam.time.advanceTo(6_500);
    cam.current().frames(1);
    assert.equal(cam.last()?.state, 'streaming');
    assert.deepEqual(
      cam.frames.map((f) => f.ptsMs),
      [0, 250, 500, 6_700],
      'ptsMs continues across the reconnect by the wall time that passed',
    );
    const closing = cam.source.close();
    cam.time.advanceBy(20);
    await closing;
    assert.equal(cam.last()?.state, 'stopped');
    assert.equal(cam.time.pendingTimers, 0, 'close() leaves no timer');
  });

  test('refused connections climb the go2rtc schedule: 1 s x5, then 5 s', () => {
    const cam = ffmpegCamera();
    cam.source.start();
    for (let i = 0; i < 7; i++) {
      cam.time.advanceBy(10);
      cam
        .current()
        .exits(1, '[tcp @ 0x1] [error] Connection to tcp://cam.test:554 failed: Connection refused\n');
      const status = cam.last();
      assert.ok(status?.state === 'backoff');
      assert.equal(status.error.kind, 'refused');
      cam.time.advanceBy(status.retryInMs);
    }
    const gaps = cam.processes.slice(1).map((p, i) => p.spawnedAtMs - (cam.processes[i]?.spawnedAtMs ?? 0));
    assert.deepEqual(gaps, [1_010, 1_010, 1_010, 1_010, 1_010, 5_010, 5_010]);
  });

  test('connect timeout: no first frame within connectTimeoutMs -> timeout, retried', () => {
    const cam = ffmpegCamera();
    cam.source.start();
    cam.time.advanceTo(7_999);
    assert.equal(cam.current().kills, 0);
    cam.time.advanceTo(8_000);
    const status = cam.last();
    assert.ok(status?.state === 'backoff');
    assert.equal(status.error.kind, 'timeout');
    cam.time.advanceTo(9_000);
    assert.equal(cam.processes.length, 2);
  });

  test('DNS failure is dns and retried; a non-video file is failed with no timer left', () => {
    const rtsp = ffmpegCamera();
    rtsp.source.start();
    rtsp.time.advanceBy(5);
    rtsp
      .current()
      .exits(1, '[tcp @ 0x1] [error] Failed to resolve hostname cam.test: Name or service not known\n');
    const dns = rtsp.last();
    assert.ok(dns?.state === 'backoff');
    assert.equal(dns.error.kind, 'dns');

    const file = ffmpegCamera({ url: 'package.json' });
    file.source.start();
    file.time.advanceBy(5);
    file.current().exits(1, '[error] file:package.json: Invalid data found when processing input\n');
    const failed = file.last();
    assert.ok(failed?.state === 'failed');
    assert.equal(failed.error.kind, 'not-video');
    assert.equal(file.time.pendingTimers, 0);
    file.time.advanceBy(3_600_000);
    assert.equal(file.processes.length, 1, 'never retried');
  });

  test('a frame burst far ahead of real time restarts the connection (clock jump)', () => {
    const cam = ffmpegCamera({ maxLeadMs: 1_000 });
    cam.source.start();
    cam.time.advanceTo(100);
    cam.current().frames(10); // 10 frames at 4 fps = 2.25 s of stream time in one instant
    assert.equal(cam.current().kills, 1);
    const status = cam.last();
    assert.ok(status?.state === 'backoff');
    assert.equal(status.error.kind, 'protocol');
    assert.ok(cam.frames.length <= 5, `frames beyond the lead were not delivered (${cam.frames.length})`);
  });
});

// ---------------------------------------------------------------------------------------------------

const offer = [
  'v=0',
  'o=- 1 2 IN IP4 127.0.0.1',
  's=-',
  't=0 0',
  'a=group:BUNDLE 0',
  'm=video 9 UDP/TLS/RTP/SAVPF 96',
  'c=IN IP4 0.0.0.0',
  'a=mid:0',
  'a=sendonly',
  'a=rtpmap:96 VP8/90000',
  '',
].join('\r\n');

class FakePeerSession implements WhipSessionLike {
  decoder: WhipDecoder | undefined;
  closed = false;
  readonly answerSdp = 'v=0\r\n';
  readonly stats = { keyframeRequests: 0, packetsLost: 0, encodedFramesDropped: 0 };

  constructor(
    readonly id: string,
    readonly options: WhipSessionOptions,
  ) {}

  negotiate(): Promise<void> {
    return Promise.resolve();
  }

  /** An encoded frame from the publisher (spawns the decoder on the first one). */
  sends(): void {
    this.options.onFrame(Buffer.from([1, 2, 3]), 0, 'vp8');
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }

  decoderSawLoss(): void {}
}

class FakeDecoder implements WhipDecoder {
  readonly pid = 4242;
  constructor(readonly handlers: IvfDecoderHandlers) {}
  write(): boolean {
    return true;
  }
  kill(): Promise<void> {
    return Promise.resolve();
  }
  decodes(count: number): void {
    this.handlers.onStdout(Buffer.alloc(count * frameBytes, 3));
  }
}

function whipCamera() {
  const time = new VirtualTime();
  const sessions: FakePeerSession[] = [];
  const decoders: FakeDecoder[] = [];
  const source = createWhipCameraSource(
    { id: 'whip', sampleFps: 4, output, stallTimeoutMs: 5_000, connectTimeoutMs: 8_000 },
    {
      ffmpegPath: 'ffmpeg',
      capabilities: ffmpeg51,
      scheduler: time.scheduler,
      createSession: (id, options) => {
        const session = new FakePeerSession(id, options);
        sessions.push(session);
        return session;
      },
      createDecoder: (_options, handlers) => {
        const decoder = new FakeDecoder(handlers);
        decoders.push(decoder);
        return decoder;
      },
    },
  );
  const statuses: CameraStatus[] = [];
  const frames: Frame[] = [];
  source.status$.subscribe((s) => statuses.push(s));
  source.frames$.subscribe((f) => frames.push(f));
  return { time, source, statuses, frames, sessions, decoders, last: () => statuses.at(-1) };
}

describe('WHIP camera source in virtual time (fake peers and decoders, TestScheduler)', () => {
  test('stall: a publisher silent for stallTimeoutMs is dropped (backoff stalled); the next one streams', async () => {
    const cam = whipCamera();
    cam.source.start();
    assert.deepEqual(cam.last(), { state: 'connecting', attempt: 1, sinceMs: 0 });
    cam.time.advanceTo(1_000);
    await cam.source.publish(offer, { replace: false });
    cam.sessions[0]?.sends();
    cam.time.advanceTo(1_200);
    cam.decoders[0]?.decodes(2);
    assert.deepEqual(cam.last(), { state: 'streaming', sinceMs: 1_200, width: 4, height: 2 });
    cam.time.advanceTo(6_199);
    assert.equal(cam.last()?.state, 'streaming');
    cam.time.advanceTo(6_200);
    const stalled = cam.last();
    assert.ok(stalled?.state === 'backoff');
    assert.deepEqual([stalled.error.kind, stalled.retryInMs, stalled.sinceMs], ['stalled', 0, 6_200]);
    assert.equal(cam.sessions[0]?.closed, true, 'the stalled session is torn down');
    assert.equal(cam.time.pendingTimers, 0, 'no timer while waiting for a publisher');

    cam.time.advanceTo(60_000);
    await cam.source.publish(offer, { replace: false });
    assert.deepEqual(cam.last(), { state: 'connecting', attempt: 2, sinceMs: 60_000 });
    cam.sessions[1]?.sends();
    cam.time.advanceTo(60_100);
    cam.decoders[1]?.decodes(1);
    assert.equal(cam.last()?.state, 'streaming');
    assert.equal(cam.frames.length, 3);
    await cam.source.close();
    assert.equal(cam.last()?.state, 'stopped');
    assert.equal(cam.time.pendingTimers, 0);
  });

  test('connect timeout: a publisher with no decoded frame within connectTimeoutMs is dropped', async () => {
    const cam = whipCamera();
    cam.source.start();
    await cam.source.publish(offer, { replace: false });
    cam.time.advanceTo(7_999);
    assert.equal(cam.last()?.state, 'connecting');
    cam.time.advanceTo(8_000);
    const status = cam.last();
    assert.ok(status?.state === 'backoff');
    assert.equal(status.error.kind, 'timeout');
    assert.equal(cam.sessions[0]?.closed, true);
    await cam.source.close();
  });

  test('a decoder exit loses the publisher with the classified fault', async () => {
    const cam = whipCamera();
    cam.source.start();
    await cam.source.publish(offer, { replace: false });
    cam.sessions[0]?.sends();
    cam.decoders[0]?.decodes(1);
    cam.decoders[0]?.handlers.onStderr('[error] pipe:0: Invalid data found when processing input\n');
    cam.decoders[0]?.handlers.onClose({ code: 1, signal: null });
    const status = cam.last();
    assert.ok(status?.state === 'backoff');
    assert.equal(status.error.kind, 'not-video');
    assert.equal(cam.time.pendingTimers, 0);
    await cam.source.close();
  });
});
