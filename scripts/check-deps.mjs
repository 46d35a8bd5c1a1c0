// Fails when package.json lists a dependency nothing uses, so a dropped import cannot leave a package behind.
// dependencies: imported from src/, bin/, simulators/ or scripts/. devDependencies: imported from those or
// from test/, bench/ or a root config file, or run as a command by an npm script. @types/x counts when x (or
// node:* for @types/node) is imported. Run by `npm run lint`.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const runtimeDirs = ['src', 'bin', 'simulators', 'scripts'];
const devDirs = ['test', 'bench'];
const sourceFile = /\.(ts|mts|js|mjs|cjs)$/;
const specifier = /(?:from\s+|import\s*\(\s*|require\s*\(\s*|import\s+)['"]([^'"./][^'"]*)['"]/g;

function files(dir) {
  let out = [];
  let names;
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of names) {
    if (name === 'node_modules' || name === 'fixtures' || name === 'results') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out = out.concat(files(path));
    else if (sourceFile.test(name)) out.push(path);
  }
  return out;
}

/** 'a/b/c' -> 'a', '@s/a/b' -> '@s/a', 'node:fs' -> 'node:'. */
function packageOf(spec) {
  if (spec.startsWith('node:')) return 'node:';
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

function importsIn(paths) {
  const found = new Set();
  for (const path of paths) {
    for (const match of readFileSync(path, 'utf8').matchAll(specifier)) found.add(packageOf(match[1]));
  }
  return found;
}

const rootConfigs = readdirSync('.').filter((name) => sourceFile.test(name));
const runtimeImports = importsIn(runtimeDirs.flatMap(files));
const devImports = new Set([...runtimeImports, ...importsIn([...devDirs.flatMap(files), ...rootConfigs])]);
const scriptWords = new Set(Object.values(pkg.scripts ?? {}).flatMap((s) => s.split(/[\s&|;]+/)));

function binsOf(name) {
  try {
    const bin = JSON.parse(readFileSync(join('node_modules', name, 'package.json'), 'utf8')).bin;
    if (bin === undefined) return [];
    return typeof bin === 'string' ? [name.split('/').pop()] : Object.keys(bin);
  } catch {
    return [];
  }
}

function used(name, imports) {
  if (imports.has(name)) return true;
  if (name === '@types/node') return imports.has('node:');
  if (name.startsWith('@types/')) {
    const typed = name.slice('@types/'.length);
    return imports.has(typed.includes('__') ? `@${typed.replace('__', '/')}` : typed);
  }
  return false;
}

const unused = [
  ...Object.keys(pkg.dependencies ?? {}).filter((name) => !used(name, runtimeImports)),
  ...Object.keys(pkg.devDependencies ?? {}).filter(
    (name) => !used(name, devImports) && !binsOf(name).some((bin) => scriptWords.has(bin)),
  ),
];
if (unused.length > 0) {
  console.error(
    `package.json lists dependencies nothing imports: ${unused.join(', ')}. ` +
      'Remove them (npm uninstall <name>) or import them where they are needed.',
  );
  process.exit(1);
}
console.log(
  `check-deps: ${Object.keys({ ...pkg.dependencies, ...pkg.devDependencies }).length} dependencies, all used`,
);
