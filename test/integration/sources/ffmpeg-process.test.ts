import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FfmpegProcess } from '../../../src/sources/ffmpeg-process.js';
import { isAlive } from './helpers.js';

// The process shell with stand-in programs: the kill escalation must work whatever the child does.
describe('FfmpegProcess', () => {
  test('a child that ignores SIGTERM is SIGKILLed after the grace period', async () => {
    let ready: () => void = () => undefined;
    const started = new Promise<void>((resolve) => (ready = resolve));
    let closed: { code: number | null; signal: string | null } | undefined;
    const proc = new FfmpegProcess(
      '/bin/sh',
      ['-c', 'trap "" TERM; echo up; while true; do sleep 0.05; done'],
      {
        onStdout: () => ready(),
        onStderr: () => undefined,
        onClose: (result) => (closed = result),
      },
    );
    await started;
    const pid = proc.pid;
    assert.ok(pid !== undefined);
    await proc.kill(300);
    assert.equal(closed?.signal, 'SIGKILL');
    assert.equal(proc.pid, undefined);
    assert.equal(isAlive(pid), false);
  });

  test('stdout and stderr are delivered before onClose, exactly once', async () => {
    const events: string[] = [];
    const proc = new FfmpegProcess('/bin/sh', ['-c', 'printf abc; printf "oops\\n" >&2; exit 3'], {
      onStdout: (chunk) => events.push(`out:${chunk.toString()}`),
      onStderr: (text) => events.push(`err:${text}`),
      onClose: (r) => events.push(`close:${String(r.code)}`),
    });
    await proc.whenClosed();
    assert.deepEqual(
      events.filter((e) => e.startsWith('close')),
      ['close:3'],
    );
    assert.equal(events.at(-1), 'close:3');
    assert.ok(events.includes('out:abc') && events.includes('err:oops\n'));
  });

  test('a binary that does not exist reports a spawn error through onClose', async () => {
    let spawnError: Error | undefined;
    const proc = new FfmpegProcess('/nonexistent/ffmpeg', [], {
      onStdout: () => undefined,
      onStderr: () => undefined,
      onClose: (r) => (spawnError = r.spawnError),
    });
    await proc.whenClosed();
    assert.match(String(spawnError?.message), /ENOENT/);
  });
});
