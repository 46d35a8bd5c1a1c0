// Every bench answers --help with its usage (exit 0) and a flag it does not know with the flag's name and
// the usage (exit 2), before any work starts: no stack trace for a typo.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../helpers/paths.js';

const scripts = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>;
};
/** npm script name -> the compiled bench it runs. */
const benches = Object.entries(scripts.scripts)
  .filter(([name]) => name.startsWith('bench:'))
  .map(([name, command]) => ({ name, file: /node (dist\/bench\/\S+\.js)/.exec(command)?.[1] }));

test('every npm bench script runs a compiled bench', () => {
  assert.ok(benches.length >= 10);
  for (const b of benches) assert.ok(b.file !== undefined, b.name);
});

for (const { name, file } of benches) {
  test(`${name}: --help prints the usage; an unknown flag is named, exit 2`, () => {
    const run = (flag: string) =>
      spawnSync(process.execPath, [join(repoRoot, file!), flag], { encoding: 'utf8', timeout: 60_000 });
    const help = run('--help');
    assert.equal(help.status, 0, help.stderr);
    assert.match(help.stdout, new RegExp(`npm run ${name} `));
    const typo = run('--no-such-flag');
    assert.equal(typo.status, 2, typo.stderr);
    assert.match(typo.stderr, /'--no-such-flag'/);
    assert.doesNotMatch(typo.stderr, /\n\s+at /, 'no stack trace');
  });
}
