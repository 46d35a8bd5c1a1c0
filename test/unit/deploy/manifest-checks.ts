// Helpers for the deploy manifest tests: reading the files, the TSN_* variables they set, and whether each
// one names a real config key (the loader silently ignores a variable whose first part is not a section).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { configSchema, loadConfig, type Config } from '../../../src/config/index.js';
import { envKeyToPath } from '../../../src/config/env.js';
import { repoRoot } from '../../helpers/paths.js';

export type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export const read = (path: string): string => readFileSync(join(repoRoot, path), 'utf8');

/** A token long enough for the loader; secrets and `${TSN_TOKEN:?...}` stand for it. */
export const TEST_TOKEN = 'x'.repeat(32);

/** Whether the checked-out schema has the cluster section (added with `tsn serve --role`). */
export const hasClusterSchema = (): boolean => 'cluster' in configSchema.shape;

export function k8sFiles(): string[] {
  return readdirSync(join(repoRoot, 'deploy/k8s'))
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => `deploy/k8s/${f}`);
}

export function yamlDocs(path: string): Doc[] {
  return parseAllDocuments(read(path)).map((d) => {
    assert.equal(d.errors.length, 0, `${path}: ${String(d.errors[0])}`);
    return d.toJS() as Doc;
  });
}

/** ENV lines of a Dockerfile (continuations joined) as name -> value, quotes removed. */
export function dockerfileEnv(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  const joined = text.replace(/\\\n\s*/g, ' ');
  for (const line of joined.split('\n').filter((l) => /^ENV\s/.test(l))) {
    for (const m of line.matchAll(/([A-Z_][A-Z0-9_]*)=('[^']*'|"[^"]*"|\S+)/g)) {
      env[m[1]!] = m[2]!.replace(/^(['"])(.*)\1$/, '$2');
    }
  }
  return env;
}

/** A Kubernetes container's env as name -> value; values from the downward API or a secret get stand-ins. */
export function containerEnv(container: Doc): Record<string, string> {
  const env: Record<string, string> = {};
  for (const e of (container.env ?? []) as Doc[]) {
    if (e.value !== undefined) env[e.name as string] = String(e.value);
    else if (e.valueFrom?.secretKeyRef !== undefined) env[e.name as string] = TEST_TOKEN;
    else if (e.valueFrom?.fieldRef !== undefined) env[e.name as string] = 'tsn-edge-7d9f8c-x2k4q';
    else assert.fail(`env ${String(e.name)}: unsupported source`);
  }
  return env;
}

/**
 * Loads the config with the given TSN_* variables and checks each one landed on a key of the result: a
 * name the loader does not map (wrong section, typo) would otherwise be ignored without a word.
 */
export function loadWithEnv(env: Record<string, string>, source: { file?: string; text?: string }): Config {
  const config = loadConfig({ ...source, env });
  for (const name of Object.keys(env).filter((n) => n.startsWith('TSN_'))) {
    const path = envKeyToPath(name);
    let at: unknown = config;
    for (const part of path) at = (at as Record<string | number, unknown> | undefined)?.[part];
    assert.notEqual(at, undefined, `${name} does not name a config key (${path.join('.')})`);
  }
  return config;
}

/** Every TSN_* name set anywhere in a text, for the "no camera override by index" check. */
export function cameraIndexOverrides(text: string): string[] {
  return [...text.matchAll(/TSN_CAMERAS__\d+__\w+/g)].map((m) => m[0]);
}
