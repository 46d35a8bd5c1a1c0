// The dashboard ships prebuilt (assets/dashboard/, served by `tsn serve` with no build step): the committed
// files must be exactly what web/dashboard/ builds to.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../../helpers/paths.js';

test('assets/dashboard/ is what scripts/build-dashboard.mjs builds from web/dashboard/', () => {
  const result = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'build-dashboard.mjs'), '--check'], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
  assert.equal(result.status, 0, `${result.stderr}${result.stdout}`);
});
