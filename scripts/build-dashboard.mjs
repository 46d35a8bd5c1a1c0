// Builds the dashboard (web/dashboard/) into assets/dashboard/: app.js bundled by esbuild, index.html and
// app.css copied. The output is committed, so `tsn serve` needs no build step at run time.
//   node scripts/build-dashboard.mjs          write assets/dashboard/
//   node scripts/build-dashboard.mjs --check  exit 1 if assets/dashboard/ is not what the sources build
import { Buffer } from 'node:buffer';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'web', 'dashboard');
const out = join(root, 'assets', 'dashboard');

const bundle = await build({
  entryPoints: [join(src, 'main.ts')],
  bundle: true,
  format: 'iife',
  target: ['es2020'],
  minify: true,
  legalComments: 'none',
  charset: 'utf8',
  write: false,
  logLevel: 'warning',
});
const files = new Map([
  ['app.js', Buffer.from(bundle.outputFiles[0].contents)],
  ['index.html', readFileSync(join(src, 'index.html'))],
  ['app.css', readFileSync(join(src, 'app.css'))],
]);

if (process.argv.includes('--check')) {
  const stale = [...files].filter(([name, bytes]) => {
    try {
      return !readFileSync(join(out, name)).equals(bytes);
    } catch {
      return true;
    }
  });
  if (stale.length > 0) {
    console.error(
      `assets/dashboard/ is out of date (${stale.map(([n]) => n).join(', ')}); run npm run build:dashboard`,
    );
    process.exit(1);
  }
  console.log('assets/dashboard/ is up to date');
} else {
  mkdirSync(out, { recursive: true });
  for (const [name, bytes] of files) writeFileSync(join(out, name), bytes);
  console.log(`assets/dashboard/: ${[...files].map(([n, b]) => `${n} ${b.length} B`).join(', ')}`);
}
