// Hostile or mistaken configuration fails with one line and a code: alias bombs, huge env list indices,
// durations no timer can hold; free-form keys with underscores are reachable from the environment.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../../src/config/index.js';
import { isTsnError } from '../../../src/errors/index.js';
import { repoRoot, tsnBin } from '../../helpers/paths.js';

const ALIAS_BOMB = [
  'a: &a [x, x, x, x, x, x, x, x, x]',
  'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]',
  'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]',
  'd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]',
  'e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]',
  'f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]',
  'g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]',
  'h: [*g, *g, *g, *g, *g, *g, *g, *g, *g]',
].join('\n');

/** `tsn serve` with a 256 MB heap, killed after 30 s if it neither fails nor exits. */
function serve(args: readonly string[], env: Record<string, string> = {}) {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TSN_')));
  const child = spawn(process.execPath, ['--max-old-space-size=256', tsnBin, 'serve', ...args], {
    cwd: repoRoot,
    env: { ...clean, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  return new Promise<{ code: number | null; stderr: string }>((resolve) =>
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    }),
  );
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (isTsnError(error)) return `${error.code}: ${error.message}`;
    return `not a TsnError: ${String(error)}`;
  }
  return 'accepted';
}

test('a YAML alias bomb is one line, E_CONFIG_YAML, exit 2', async (t) => {
  assert.match(
    codeOf(() => loadConfig({ text: ALIAS_BOMB, env: {} })),
    /^E_CONFIG_YAML: .*alias/,
  );
  const dir = mkdtempSync(join(tmpdir(), 'tsn-bomb-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'bomb.yaml'), ALIAS_BOMB);
  const run = await serve(['--config', join(dir, 'bomb.yaml')]);
  assert.equal(run.code, 2, run.stderr);
  assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
  assert.match(run.stderr, /^tsn: error E_CONFIG_YAML: .*bomb\.yaml: invalid YAML/);
});

test('an environment list index past 999 is refused before anything is built', async () => {
  // In a child with a 256 MB heap: the unbounded reader ran out of memory building the list.
  assert.match(
    codeOf(() => loadConfig({ env: { TSN_CAMERAS__1000__URL: 'x' } })),
    /^E_CONFIG_ENV: .*999/,
  );
  const run = await serve([], { TSN_CAMERAS__99999999__URL: 'x' });
  assert.equal(run.code, 2, run.stderr);
  assert.match(run.stderr, /^tsn: error E_CONFIG_ENV: TSN_CAMERAS__99999999__URL/);
});

test('env parts with a lower-case letter are keys taken verbatim (model.urls.tsn_k400_8)', () => {
  const config = loadConfig({
    env: {
      TSN_MODEL__URLS__tsn_k400_8: 'https://mirror.example/TSN_k400_8.pdparams',
      TSN_DEFAULTS__DETECTOR__PER_LABEL__falling: '{ onThreshold: 0.7 }',
      TSN_BATCHING__MAX_WAIT_MS: '20',
    },
  });
  assert.equal(config.model.urls.tsn_k400_8, 'https://mirror.example/TSN_k400_8.pdparams');
  assert.deepEqual(config.defaults.detector.perLabel.falling, { onThreshold: 0.7 });
  assert.equal(config.batching.maxWaitMs, 20);
});

test('durations past what a Node timer can hold are refused everywhere', () => {
  const tooLong = 2 ** 31;
  for (const yaml of [
    `defaults: { stallTimeoutMs: ${tooLong} }`,
    `defaults: { connectTimeoutMs: ${tooLong} }`,
    `defaults: { backoff: [{ delayMs: ${tooLong} }] }`,
    `defaults: { detector: { cooldownMs: ${tooLong} } }`,
    `cameras: [{ id: a, url: 'rtsp://cam/x', windowMs: ${tooLong} }]`,
    `websocket: { pingIntervalMs: ${tooLong} }`,
    `nats: { jetstream: { duplicateWindowMs: ${tooLong} } }`,
    `batching: { maxWaitMs: ${tooLong} }`,
  ]) {
    assert.match(
      codeOf(() => loadConfig({ text: yaml, env: {} })),
      /^E_CONFIG: .*at most/,
      yaml,
    );
  }
  assert.equal(
    // Source timers stop at a day (sources' own cap); other timers at what a Node timer holds.
    codeOf(() => loadConfig({ text: `defaults: { stallTimeoutMs: 86400000 }`, env: {} })),
    'accepted',
  );
  assert.equal(
    codeOf(() => loadConfig({ text: `defaults: { detector: { cooldownMs: ${tooLong - 1} } }`, env: {} })),
    'accepted',
  );
});
