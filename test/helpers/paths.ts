import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';

// Compiled tests live in dist/test/helpers; the repository root is three levels up.
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const fixturesDir = join(repoRoot, 'test', 'fixtures');
export const tsnBin = join(repoRoot, 'bin', 'tsn.js');
