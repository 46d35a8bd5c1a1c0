import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { tsnBin } from '../../helpers/paths.js';
import { makeTestClip, probeStream, run, type TestClip } from './helpers.js';
import { waitFor } from '../../helpers/wait.js';

describe('tsn simulate', () => {
  let clip: TestClip;

  before(async () => {
    clip = await makeTestClip(2);
  });
  after(async () => {
    await clip?.remove();
  });

  test('prints one URL per camera, serves them, and exits cleanly on SIGTERM', async () => {
    const child = spawn(
      process.execPath,
      // Staggered: the cameras of the one file are served with delays of their own and still play.
      [tsnBin, 'simulate', '--port', '0', '--stagger-ms', '700', '--camera', 'door=' + clip.file, clip.file],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    let exitCode: number | null | undefined;
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    child.once('close', (code) => (exitCode = code));
    try {
      await waitFor(
        'two URL lines on stdout',
        () => stdout.split('\n').length >= 3 || exitCode !== undefined,
        20_000,
      );
      const urls = stdout.trim().split('\n');
      assert.equal(urls.length, 2, `stdout: ${stdout}\nstderr: ${stderr}`);
      // Plain files first, then --camera entries.
      assert.match(urls[0]!, /^rtsp:\/\/127\.0\.0\.1:\d+\/clip$/);
      assert.match(urls[1]!, /^rtsp:\/\/127\.0\.0\.1:\d+\/door$/);
      assert.deepEqual(await probeStream(urls[1]!, 'tcp'), { codec: 'h264', width: 320, height: 240 });
      const encoders = (await run('pgrep', ['-P', String(child.pid), 'ffmpeg'], 5_000)).stdout.trim();
      assert.notEqual(encoders, '', 'an encoder runs while a client watched');
      child.kill('SIGTERM');
      await waitFor('the simulator to exit', () => exitCode !== undefined, 10_000);
      assert.equal(exitCode, 0, stderr);
      for (const pid of encoders.split('\n').map(Number)) {
        assert.throws(() => process.kill(pid, 0), `ffmpeg ${pid} survived the simulator`);
      }
    } finally {
      child.kill('SIGKILL');
    }
  });

  test('a bad fault option fails with E_SIM_ARGS', async () => {
    const result = await run(process.execPath, [
      tsnBin,
      'simulate',
      '--port',
      '0',
      '--fault',
      'clip:bogus=1',
      clip.file,
    ]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /E_SIM_ARGS/);
  });

  test('a bad --stagger-ms fails with E_SIM_ARGS naming the option', async () => {
    for (const bad of ['soon', '-1', '10001']) {
      const result = await run(process.execPath, [
        tsnBin,
        'simulate',
        '--port',
        '0',
        '--stagger-ms',
        bad,
        clip.file,
      ]);
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, /E_SIM_ARGS.*--stagger-ms/);
    }
  });

  test('a missing file fails with E_SIM_FILE', async () => {
    const result = await run(process.execPath, [tsnBin, 'simulate', '--port', '0', '/nonexistent/video.mp4']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /E_SIM_FILE/);
  });
});
