import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { makeClip, tempDir } from './helpers.js';

const dir = tempDir('tsn-no-leak-');
let clip = '';
before(async () => {
  clip = await makeClip(join(dir.path, 'c.mp4'), 320, 240, 2);
});
after(() => dir.remove());

/** Runs leak-probe.js; resolves with its exit code, or rejects if it is still alive after `withinMs`. */
function runProbe(
  url: string,
  waitFor: string,
  withinMs: number,
): Promise<{ code: number | null; out: string }> {
  const probe = join(import.meta.dirname, 'leak-probe.js');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [probe, url, waitFor], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(
          `the probe was still running ${withinMs} ms after start (output: ${out.trim()}): something leaked`,
        ),
      );
    }, withinMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

describe('close() leaves nothing that keeps Node alive', () => {
  test('closed while streaming', async () => {
    const { code, out } = await runProbe(clip, 'streaming', 20_000);
    assert.equal(code, 0);
    assert.match(out, /closed/);
  });

  test('closed while waiting to retry', async () => {
    // Port 1 on loopback refuses: a fault that heals, so the source waits to retry.
    const { code, out } = await runProbe('rtsp://127.0.0.1:1/x', 'backoff', 20_000);
    assert.equal(code, 0);
    assert.match(out, /closed/);
  });
});
