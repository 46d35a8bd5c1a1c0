import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Layers (docs/architecture.md): domain <- pipeline/publish/sources <- inference/model <- service/api <- cli,
// with src/main.ts and src/compose/ (the composition root) on top: no src/ folder imports compose/.
// Each entry lists the src/ folders a folder must not import from; errors/ and config/ are usable from
// everywhere but import (almost) nothing themselves. ESLint replaces, not merges, a rule's options per
// file, so each folder's block carries the I/O ban of pipeline/ and domain/ where it applies.
const ALL = ['domain', 'pipeline', 'publish', 'sources', 'inference', 'model', 'model-store', 'config'];
const UPPER = ['service', 'api', 'cli', 'live', 'training', 'cluster', 'model-store'];
const LAYERS = {
  domain: [...ALL, ...UPPER, 'errors'],
  errors: [...ALL, ...UPPER],
  config: [...ALL.filter((f) => f !== 'config'), ...UPPER],
  pipeline: ['sources', 'publish', 'inference', 'model', 'model-store', 'config', ...UPPER],
  sources: ['pipeline', 'publish', 'inference', 'model', 'model-store', ...UPPER],
  publish: ['pipeline', 'sources', 'inference', 'model', 'model-store', ...UPPER],
  inference: ['service', 'api', 'cli', 'live', 'training', 'cluster', 'model-store'],
  model: [
    'pipeline',
    'publish',
    'sources',
    'inference',
    'model-store',
    'service',
    'api',
    'cli',
    'live',
    'training',
    'cluster',
  ],
  'model-store': ['service', 'api', 'cli', 'live', 'training', 'cluster'],
  training: ['service', 'api', 'cli', 'live', 'cluster'],
  cluster: ['service', 'api', 'cli', 'live', 'training', 'model-store'],
  live: ['service', 'api', 'cli', 'training', 'cluster'],
  api: ['service', 'cli'],
  service: ['cli'],
  cli: [],
  compose: ['cli'],
};
const NO_IO = {
  group: ['node:*', 'nats', 'ws', 'onnxruntime-*', 'child_process', 'fs'],
  message: 'pipeline/ and domain/ stay free of I/O.',
};

// The composition root's folder is for src/main.ts alone.
const composeUnlessItself = (folder) => (folder === 'compose' ? [] : ['compose']);

function layerBoundaries() {
  return Object.entries(LAYERS).map(([folder, forbidden]) => ({
    files: [`src/${folder}/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...(folder === 'pipeline' || folder === 'domain' ? [NO_IO] : []),
            {
              group: [...new Set([...forbidden, ...composeUnlessItself(folder)])].flatMap((f) => [
                `../${f}/**`,
                `../../${f}/**`,
                `../../../${f}/**`,
              ]),
              message: `src/${folder} may not import from there: see Layers in docs/architecture.md.`,
            },
          ],
        },
      ],
    },
  }));
}

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'test/fixtures/', 'bench/results/', 'assets/dashboard/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // Type-aware rules need the program: tsconfig.json covers src/, test/, bench/ and simulators/;
    // web/ keeps the untyped rules above (it is type-checked by tsc -p web/tsconfig.json in lint).
    files: ['src/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts', 'simulators/**/*.ts'],
    languageOptions: { parserOptions: { project: './tsconfig.json', tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          // node:test registers and awaits these itself; awaiting them in a test file changes nothing.
          allowForKnownSafeCalls: [
            {
              from: 'package',
              package: 'node:test',
              name: ['test', 'it', 'describe', 'suite', 'before', 'after'],
            },
          ],
        },
      ],
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: false, requireDefaultForNonUnion: true },
      ],
    },
  },
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Read the environment only in src/config.' },
      ],
    },
  },
  {
    files: ['src/config/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts', 'scripts/**', 'simulators/**/*.ts'],
    rules: { 'no-restricted-properties': 'off' },
  },
  ...layerBoundaries(),
  {
    // The composition root wires parts that refer to each other: a closure reading a const declared further
    // down works only until someone calls it early, so late parts go through an explicit holder instead.
    files: ['src/main.ts', 'src/compose/**/*.ts'],
    rules: {
      '@typescript-eslint/no-use-before-define': [
        'error',
        { functions: false, classes: false, variables: true, typedefs: false, ignoreTypeReferences: true },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);
