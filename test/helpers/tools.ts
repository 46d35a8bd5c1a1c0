import { spawnSync } from 'node:child_process';
import type { TestContext } from 'node:test';

/** Under TSN_REQUIRE_ALL=1 (CI) a missing tool fails the test instead of skipping it. */
export const requireAll = process.env.TSN_REQUIRE_ALL === '1';

export function hasCommand(command: string, args: readonly string[] = ['--version']): boolean {
  const r = spawnSync(command, args, { stdio: 'ignore', timeout: 20_000 });
  return r.error === undefined && r.status === 0;
}

export function hasPythonModules(modules: readonly string[]): boolean {
  return hasCommand('/usr/bin/python3', ['-c', `import ${modules.join(', ')}`]);
}

/**
 * Returns true when the test may go on. Otherwise skips it with a message naming the Debian package,
 * or fails it under TSN_REQUIRE_ALL=1.
 */
export function needs(t: TestContext, available: boolean, debianPackage: string): boolean {
  if (available) return true;
  const message = `needs Debian package ${debianPackage} (apt-get install -y ${debianPackage})`;
  if (requireAll) throw new Error(`TSN_REQUIRE_ALL=1 but ${message}`);
  t.skip(message);
  return false;
}
