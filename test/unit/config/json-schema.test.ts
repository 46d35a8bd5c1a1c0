import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { configJsonSchemaText } from '../../../src/config/index.js';
import { loadConfig } from '../../../src/config/index.js';
import { repoRoot } from '../../helpers/paths.js';

const schemaFile = join(repoRoot, 'configs', 'schema.json');

// Golden: configs/schema.json is what editors use; regenerate with UPDATE_GOLDEN=1 after a schema change.
test('configs/schema.json matches the schema generated from the zod config schema', () => {
  const generated = configJsonSchemaText();
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(schemaFile, generated);
  assert.equal(readFileSync(schemaFile, 'utf8'), generated, 'stale: run with UPDATE_GOLDEN=1 to regenerate');
});

test('the JSON Schema rejects unknown keys like the loader does', () => {
  const schema = JSON.parse(configJsonSchemaText()) as {
    additionalProperties: boolean;
    properties: Record<string, { additionalProperties?: boolean }>;
  };
  assert.equal(schema.additionalProperties, false);
  assert.equal(schema.properties.server?.additionalProperties, false);
});

test('every example in configs/examples is valid', () => {
  const dir = join(repoRoot, 'configs', 'examples');
  const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));
  assert.ok(files.length > 0);
  for (const file of files) loadConfig({ file: join(dir, file), env: {} });
});

test('configs/default.yaml is valid', () => {
  const config = loadConfig({ file: join(repoRoot, 'configs', 'default.yaml'), env: {} });
  assert.ok(config.cameras.length >= 1);
  assert.equal(config.nats.url, undefined, 'npm start must work without NATS');
});

test('configs/default.yaml mentions every option of the schema (as a key or in a comment)', () => {
  const text = readFileSync(join(repoRoot, 'configs', 'default.yaml'), 'utf8');
  const missing: string[] = [];
  const walk = (schema: unknown, path: string): void => {
    const node = schema as { properties?: Record<string, unknown>; items?: unknown; anyOf?: unknown[] };
    for (const [key, child] of Object.entries(node.properties ?? {})) {
      const at = path === '' ? key : `${path}.${key}`;
      if (!new RegExp(`\\b${key}:`).test(text)) missing.push(at);
      walk(child, at);
    }
    if (node.items !== undefined && !Array.isArray(node.items)) walk(node.items, `${path}[]`);
    for (const option of node.anyOf ?? []) walk(option, path);
  };
  walk(JSON.parse(configJsonSchemaText()), '');
  assert.deepEqual(missing, []);
});
