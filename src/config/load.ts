// Loads the configuration once at start: YAML file -> TSN_* environment -> CLI flags -> strict
// validation -> deep freeze. Every error names the key and where its value came from (file:line:col,
// the environment variable, or the flag).
import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { TsnError } from '../errors/index.js';
import { readEnvOverrides } from './env.js';
import { flagOverrides, type ConfigFlags } from './flags.js';
import { deepFreeze, pathToString, setIn, type ConfigPath } from './object-path.js';
import { positionOf } from './positions.js';
import { allowedKeysAt, closestKey } from './schema-keys.js';
import { configSchema, type Config } from './schema.js';

export interface LoadConfigOptions {
  /** YAML file. Neither file nor text: defaults only. */
  readonly file?: string;
  /** YAML text instead of a file (named `sourceName` in errors). */
  readonly text?: string;
  readonly sourceName?: string;
  /** Defaults to process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly flags?: ConfigFlags;
}

export interface ConfigIssue {
  readonly path: string;
  readonly message: string;
  /** "file.yaml:3:5", "environment TSN_SERVER__PORT", "flag --port" or the file name alone. */
  readonly source: string;
  readonly line?: number;
  readonly col?: number;
  readonly unknownKey: boolean;
}

interface Parsed {
  readonly doc: Document;
  readonly lineCounter: LineCounter;
  readonly sourceName: string;
}

export function loadConfig(options: LoadConfigOptions = {}): Config {
  const parsed = parseYamlSource(options);
  const raw = toPlainObject(parsed);
  const provenance = new Map<string, string>();
  for (const o of readEnvOverrides(Object.keys(configSchema.shape), options.env)) {
    setIn(raw, o.path, o.value);
    provenance.set(pathToString(o.path), `environment ${o.name}`);
  }
  const cameras = Array.isArray(raw.cameras) ? (raw.cameras as unknown[]) : [];
  for (const o of flagOverrides(options.flags ?? {}, cameras)) {
    setIn(raw, o.path, o.value);
    if (o.value === undefined) deleteIn(raw, o.path);
    provenance.set(pathToString(o.path), `flag ${o.flag}`);
  }
  const result = configSchema.safeParse(raw);
  if (!result.success) throw configError(describeIssues(result.error.issues, parsed, provenance));
  checkClusterNats(result.data);
  return deepFreeze(result.data);
}

/** The servers of the nats section (url or servers), [] when NATS is not configured. */
export function natsServers(nats: Config['nats']): string[] {
  const given = nats.servers ?? nats.url;
  if (given === undefined) return [];
  const list = typeof given === 'string' ? given.split(',') : given;
  return list.map((s) => s.trim()).filter((s) => s.length > 0);
}

function checkClusterNats(config: Config): void {
  if (config.cluster.role === 'all' || natsServers(config.nats).length > 0) return;
  throw new TsnError(
    'E_CONFIG_CLUSTER_NATS',
    `cluster.role ${config.cluster.role} coordinates through NATS: set nats.servers (TSN_NATS__SERVERS, ` +
      'e.g. nats://nats:4222) or nats.url, or run with --role all',
    { context: { role: config.cluster.role } },
  );
}

function parseYamlSource(options: LoadConfigOptions): Parsed {
  const sourceName = options.file ?? options.sourceName ?? '<config>';
  let text = options.text ?? '';
  if (options.file !== undefined) {
    try {
      text = readFileSync(options.file, 'utf8');
    } catch (cause) {
      throw new TsnError(
        'E_CONFIG_FILE',
        `cannot read config file ${options.file}: ${(cause as Error).message}`,
        {
          cause,
          context: { file: options.file },
        },
      );
    }
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  const first = doc.errors[0];
  if (first !== undefined) {
    const pos = first.linePos?.[0];
    const where = pos === undefined ? sourceName : `${sourceName}:${pos.line}:${pos.col}`;
    throw new TsnError('E_CONFIG_YAML', `${where}: invalid YAML: ${first.message.split('\n')[0]}`, {
      context: { file: sourceName, line: pos?.line, col: pos?.col },
    });
  }
  return { doc, lineCounter, sourceName };
}

/** Aliases expanded per document: a config needs a handful; an alias bomb needs millions. */
const MAX_YAML_ALIASES = 100;

function toPlainObject(parsed: Parsed): Record<string, unknown> {
  let value: unknown;
  try {
    value = parsed.doc.toJS({ maxAliasCount: MAX_YAML_ALIASES });
  } catch (cause) {
    throw new TsnError(
      'E_CONFIG_YAML',
      `${parsed.sourceName}: invalid YAML: ${(cause as Error).message.split('\n')[0]} ` +
        `(at most ${MAX_YAML_ALIASES} alias expansions; write the values out instead)`,
      { cause, context: { file: parsed.sourceName } },
    );
  }
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new TsnError('E_CONFIG', `${parsed.sourceName}: the top level must be a mapping of sections`, {
      context: { file: parsed.sourceName },
    });
  }
  return value as Record<string, unknown>;
}

function deleteIn(root: Record<string, unknown>, path: ConfigPath): void {
  let node: unknown = root;
  for (const part of path.slice(0, -1)) node = (node as Record<string | number, unknown> | undefined)?.[part];
  if (typeof node === 'object' && node !== null)
    delete (node as Record<string | number, unknown>)[path.at(-1)!];
}

function describeIssues(
  issues: readonly z.core.$ZodIssue[],
  parsed: Parsed,
  provenance: Map<string, string>,
) {
  const out: ConfigIssue[] = [];
  for (const issue of issues) {
    const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      const allowed = allowedKeysAt(configSchema, path);
      for (const key of issue.keys) {
        const guess = closestKey(key, allowed);
        const hint =
          guess !== undefined ? ` (did you mean "${guess}"?)` : ` (allowed: ${allowed.join(', ')})`;
        out.push(locate([...path, key], `unknown key${hint}`, true, parsed, provenance));
      }
    } else {
      out.push(locate(path, issue.message, false, parsed, provenance));
    }
  }
  return out;
}

function locate(
  path: ConfigPath,
  message: string,
  unknownKey: boolean,
  parsed: Parsed,
  provenance: Map<string, string>,
): ConfigIssue {
  const name = pathToString(path) || '(top level)';
  for (let depth = path.length; depth > 0; depth--) {
    const from = provenance.get(pathToString(path.slice(0, depth)));
    if (from !== undefined) return { path: name, message, source: from, unknownKey };
  }
  const pos = positionOf(parsed.doc, parsed.lineCounter, path, unknownKey);
  if (pos === undefined) return { path: name, message, source: parsed.sourceName, unknownKey };
  const source = `${parsed.sourceName}:${pos.line}:${pos.col}`;
  return { path: name, message, source, line: pos.line, col: pos.col, unknownKey };
}

function configError(issues: readonly ConfigIssue[]): TsnError {
  const code = issues.every((i) => i.unknownKey) ? 'E_CONFIG_UNKNOWN_KEY' : 'E_CONFIG';
  const text = issues.map((i) => `${i.source}: ${i.path}: ${i.message}`).join('; ');
  return new TsnError(code, `invalid configuration: ${text}`, { context: { issues } });
}
