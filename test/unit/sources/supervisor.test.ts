import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Supervisor, type SupervisorAction, type SupervisorConfig } from '../../../src/sources/supervisor.js';
import { defaultBackoff } from '../../../src/sources/options.js';
import type { CameraStatus } from '../../../src/domain/index.js';

const config: SupervisorConfig = {
  backoff: defaultBackoff,
  stallTimeoutMs: 5_000,
  connectTimeoutMs: 8_000,
  authRetryDelayMs: 300_000,
  healthyAfterMs: 10_000,
  maxLeadMs: 10_000,
  restartOnEnd: true,
};

const refused = { code: 1, signal: null, stderrLines: ['[error] rtsp://cam/x: Connection refused'] };
const unauthorized = {
  code: 1,
  signal: null,
  stderrLines: ['[rtsp @ 0x1] [error] method DESCRIBE failed: 401 Unauthorized'],
};
const size = { width: 224, height: 224 };

/**
 * Virtual time: runs the machine the way the process shell does (one timer at nextDeadlineMs), with a
 * scripted fake ffmpeg, and records every action with its time.
 */
class Harness {
  nowMs = 0;
  readonly log: { atMs: number; action: SupervisorAction }[] = [];
  readonly machine: Supervisor;
  processAlive = false;

  constructor(overrides: Partial<SupervisorConfig> = {}) {
    this.machine = new Supervisor({ ...config, ...overrides });
  }

  feed(actions: SupervisorAction[]): void {
    for (const action of actions) {
      this.log.push({ atMs: this.nowMs, action });
      if (action.type === 'spawn') this.processAlive = true;
    }
  }

  /** Advances virtual time to `toMs`, firing the deadline timer as the shell would. */
  advanceTo(toMs: number, onSpawn?: () => void): void {
    for (;;) {
      const deadline = this.machine.nextDeadlineMs();
      if (deadline === undefined || deadline > toMs) break;
      this.nowMs = Math.max(this.nowMs, deadline);
      const before = this.log.length;
      this.feed(this.machine.tick(this.nowMs));
      if (onSpawn !== undefined && this.log.slice(before).some((e) => e.action.type === 'spawn')) onSpawn();
    }
    this.nowMs = toMs;
  }

  spawnTimes(): number[] {
    return this.log.filter((e) => e.action.type === 'spawn').map((e) => e.atMs);
  }

  statuses(): CameraStatus[] {
    return this.log.flatMap((e) => (e.action.type === 'status' ? [e.action.status] : []));
  }

  last(): CameraStatus | undefined {
    return this.machine.status;
  }
}

describe('Supervisor (virtual time)', () => {
  test('first connection fails: retries on the stepped schedule 1 s x5, 5 s x5, 10 s x10, 60 s', () => {
    const h = new Harness();
    h.feed(h.machine.start(0));
    // Every attempt is refused 100 ms after it starts.
    const failSoon = (): void => {
      h.nowMs += 100;
      h.feed(h.machine.exited(h.nowMs, refused));
    };
    failSoon();
    h.advanceTo(400_000, failSoon);
    const spawns = h.spawnTimes();
    const gaps = spawns.slice(1).map((t, i) => t - (spawns[i] ?? 0) - 100);
    assert.deepEqual(gaps.slice(0, 22), [
      ...Array(5).fill(1_000),
      ...Array(5).fill(5_000),
      ...Array(10).fill(10_000),
      60_000,
      60_000,
    ]);
    const backoff = h.statuses().find((s) => s.state === 'backoff');
    assert.ok(backoff?.state === 'backoff');
    assert.equal(backoff.error.kind, 'refused');
    assert.equal(backoff.retryInMs, 1_000);
  });

  test('streaming, drop, reconnect after 1 s; a healthy connection resets the schedule', () => {
    const h = new Harness();
    h.feed(h.machine.start(0));
    for (let t = 500; t <= 20_000; t += 500) h.feed(h.machine.frame((h.nowMs = t), size));
    assert.equal(h.last()?.state, 'streaming');
    h.feed(
      h.machine.exited((h.nowMs = 20_100), {
        code: 1,
        signal: null,
        stderrLines: ['Connection reset by peer'],
      }),
    );
    assert.deepEqual(h.last(), {
      state: 'backoff',
      attempt: 1,
      retryInMs: 1_000,
      sinceMs: 20_100,
      error: { kind: 'protocol', message: 'Connection reset by peer' },
    });
    h.advanceTo(21_100);
    assert.deepEqual(h.spawnTimes(), [0, 21_100]);
    assert.equal(h.last()?.state, 'connecting');
    h.feed(h.machine.frame((h.nowMs = 21_600), size));
    assert.equal(h.last()?.state, 'streaming');
  });

  test('connections that die before they are healthy climb the schedule', () => {
    const h = new Harness({
      backoff: [
        { delayMs: 100, times: 2 },
        { delayMs: 1_000, times: Infinity },
      ],
    });
    h.feed(h.machine.start(0));
    const streamBriefly = (): void => {
      h.feed(h.machine.frame((h.nowMs += 10), size));
      h.feed(h.machine.exited((h.nowMs += 10), refused));
    };
    streamBriefly();
    h.advanceTo(5_000, streamBriefly);
    const retries = h.statuses().flatMap((s) => (s.state === 'backoff' ? [s.retryInMs] : []));
    assert.deepEqual(retries.slice(0, 4), [100, 100, 1_000, 1_000]);
  });

  test('watchdog: no frame for stallTimeoutMs kills ffmpeg, reports stalled, reconnects', () => {
    const h = new Harness();
    h.feed(h.machine.start(0));
    h.feed(h.machine.frame((h.nowMs = 1_000), size));
    h.feed(h.machine.frame((h.nowMs = 2_000), size));
    assert.equal(h.machine.nextDeadlineMs(), 7_000);
    h.advanceTo(6_999);
    assert.equal(h.last()?.state, 'streaming');
    h.advanceTo(7_000);
    const kinds = h.log.filter((e) => e.atMs === 7_000).map((e) => e.action.type);
    assert.deepEqual(kinds, ['kill', 'status']);
    const status = h.last();
    assert.ok(status?.state === 'backoff');
    assert.equal(status.error.kind, 'stalled');
    // Frames still in the pipe of the process being killed are not trusted.
    assert.equal(h.machine.acceptsFrames, false);
    // The retry waits for the old process to exit, even past the retry time.
    h.advanceTo(9_000);
    assert.deepEqual(h.spawnTimes(), [0]);
    h.feed(h.machine.exited((h.nowMs = 9_000), { code: null, signal: 'SIGTERM', stderrLines: [] }));
    assert.deepEqual(h.spawnTimes(), [0, 9_000]);
  });

  test('a killed process that exits quickly waits for the retry time', () => {
    const h = new Harness();
    h.feed(h.machine.start(0));
    h.feed(h.machine.frame((h.nowMs = 1_000), size));
    h.advanceTo(6_000);
    h.feed(
      h.machine.exited((h.nowMs = 6_050), {
        code: 255,
        signal: null,
        stderrLines: ['Exiting normally, received signal 15.'],
      }),
    );
    assert.equal(h.last()?.state, 'backoff', 'exit of the killed process is not a second failure');
    h.advanceTo(7_000);
    assert.deepEqual(h.spawnTimes(), [0, 7_000]);
  });

  test('frames far ahead of real time (camera clock jump) restart the connection', () => {
    const h = new Harness();
    h.feed(h.machine.start(0));
    h.feed(h.machine.frame((h.nowMs = 1_000), size, 1_000));
    h.feed(h.machine.frame((h.nowMs = 1_010), size, 11_000));
    assert.equal(h.last()?.state, 'streaming', 'a 9990 ms lead is within the limit');
    h.feed(h.machine.frame((h.nowMs = 1_020), size, 11_250));
    const status = h.last();
    assert.ok(status?.state === 'backoff');
    assert.equal(status.error.kind, 'protocol');
    assert.match(status.error.message, /ahead of real time/);
    assert.equal(h.log.at(-2)?.action.type, 'kill');
    assert.equal(h.machine.acceptsFrames, false);
  });

  test('connect timeout: no first frame within connectTimeoutMs', () => {
    const h = new Harness();
    h.feed(h.machine.start(0));
    h.advanceTo(8_000);
    const status = h.last();
    assert.ok(status?.state === 'backoff');
    assert.equal(status.error.kind, 'timeout');
  });

  test('auth failure waits authRetryDelayMs: no tight loop', () => {
    const h = new Harness();
    h.feed(h.machine.start(0));
    const deny = (): void => h.feed(h.machine.exited((h.nowMs += 50), unauthorized));
    deny();
    const status = h.last();
    assert.ok(status?.state === 'backoff');
    assert.equal(status.error.kind, 'auth');
    assert.equal(status.retryInMs, 300_000);
    h.advanceTo(3_600_000, deny);
    const spawns = h.spawnTimes();
    assert.equal(spawns.length, 12, 'one attempt per 5 minutes over an hour');
    assert.ok(spawns.slice(1).every((t, i) => t - (spawns[i] ?? 0) >= 300_000));
  });

  test('a file played once ends as stopped, without retries', () => {
    const h = new Harness({ restartOnEnd: false });
    h.feed(h.machine.start(0));
    h.feed(h.machine.frame((h.nowMs = 100), size));
    h.feed(h.machine.exited((h.nowMs = 3_000), { code: 0, signal: null, stderrLines: [] }));
    assert.equal(h.last()?.state, 'stopped');
    assert.equal(h.machine.nextDeadlineMs(), undefined);
    assert.deepEqual(
      h.machine.stop(5_000),
      [{ type: 'done' }],
      'close() after the end adds no second stopped',
    );
  });

  test('a finite schedule ends in failed', () => {
    const h = new Harness({ backoff: [{ delayMs: 100, times: 1 }] });
    h.feed(h.machine.start(0));
    h.feed(h.machine.exited((h.nowMs = 10), refused));
    h.advanceTo(110);
    h.feed(h.machine.exited((h.nowMs = 120), refused));
    assert.equal(h.last()?.state, 'failed');
    assert.equal(h.machine.nextDeadlineMs(), undefined);
  });

  test('permanent faults of the source kind end in failed with the reason, no retry', () => {
    const permanentFaults = new Set(['not-found', 'not-video', 'unsupported'] as const);
    for (const line of [
      '[error] /clips/gone.mp4: No such file or directory',
      '[error] file:README.md: Invalid data found when processing input',
      "[http @ 0x1] [error] Protocol 'file' not on whitelist 'http,https,tcp,tls,crypto'!",
    ]) {
      const h = new Harness({ permanentFaults });
      h.feed(h.machine.start(0));
      h.feed(h.machine.exited((h.nowMs = 50), { code: 1, signal: null, stderrLines: [line] }));
      const last = h.last();
      assert.ok(last?.state === 'failed', line);
      assert.ok(permanentFaults.has(last.error.kind as 'not-found'));
      assert.equal(h.machine.nextDeadlineMs(), undefined, 'no timer: nothing will retry');
      h.advanceTo(3_600_000);
      assert.deepEqual(h.spawnTimes(), [0]);
    }
  });

  test('faults that can heal still back off: DNS, refused, and a stalled file', () => {
    const h = new Harness({ permanentFaults: new Set(['not-found']) });
    h.feed(h.machine.start(0));
    const dns = '[tcp @ 0x1] [error] Failed to resolve hostname cam.invalid: Name or service not known';
    h.feed(h.machine.exited((h.nowMs = 10), { code: 1, signal: null, stderrLines: [dns] }));
    const status = h.last();
    assert.ok(status?.state === 'backoff');
    assert.equal(status.error.kind, 'dns');
    h.advanceTo(1_010);
    assert.deepEqual(h.spawnTimes(), [0, 1_010]);
  });

  test("rtsp: ffmpeg's Invalid data is a protocol fault and is retried", () => {
    const h = new Harness({ permanentFaults: new Set(['not-video']), rtsp: true });
    h.feed(h.machine.start(0));
    const line = '[error] rtsp://cam/x: Invalid data found when processing input';
    h.feed(h.machine.exited((h.nowMs = 10), { code: 1, signal: null, stderrLines: [line] }));
    const status = h.last();
    assert.ok(status?.state === 'backoff');
    assert.equal(status.error.kind, 'protocol');
  });

  test('ffmpeg missing: failed at once', () => {
    const h = new Harness();
    h.feed(h.machine.start(0));
    h.feed(h.machine.spawnFailed(1, 'spawn ffmpeg ENOENT'));
    assert.equal(h.last()?.state, 'failed');
  });

  test('stop while streaming: kill, then stopped and done once the process exited', () => {
    const h = new Harness();
    h.feed(h.machine.start(0));
    h.feed(h.machine.frame((h.nowMs = 500), size));
    h.feed(h.machine.stop((h.nowMs = 600)));
    assert.deepEqual(h.log.at(-1)?.action, { type: 'kill' });
    assert.equal(h.machine.nextDeadlineMs(), undefined, 'no timer while stopping');
    h.feed(h.machine.exited((h.nowMs = 700), { code: 255, signal: null, stderrLines: [] }));
    assert.deepEqual(
      h.log.slice(-2).map((e) => e.action.type),
      ['status', 'done'],
    );
    assert.deepEqual(h.last(), { state: 'stopped', sinceMs: 700 });
    assert.deepEqual(h.machine.stop(800), [], 'idempotent');
    assert.deepEqual(h.machine.start(900), [], 'no restart after stop');
  });

  test('stop while waiting to retry: stopped at once, no timer left', () => {
    const h = new Harness();
    h.feed(h.machine.start(0));
    h.feed(h.machine.exited((h.nowMs = 10), refused));
    h.feed(h.machine.stop((h.nowMs = 20)));
    assert.equal(h.last()?.state, 'stopped');
    assert.equal(h.machine.nextDeadlineMs(), undefined);
    h.advanceTo(100_000);
    assert.deepEqual(h.spawnTimes(), [0]);
  });
});
