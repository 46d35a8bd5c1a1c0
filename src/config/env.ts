// Environment overrides: TSN_<SECTION>__<KEY>[__<KEY>...]=<value>.
// Each "__"-separated part is one level of the config; SCREAMING_SNAKE parts become camelCase
// (TSN_BATCHING__MAX_WAIT_MS -> batching.maxWaitMs); a number part indexes a list
// (TSN_CAMERAS__0__URL -> cameras[0].url). Values are YAML scalars or flow collections: 9000 is a
// number, true a boolean, [cpu, cuda] a list; quote a value to force a string ('"0123"').
// A part holding a lower-case letter is taken verbatim: that is how free-form keys with underscores
// are reached (TSN_MODEL__URLS__tsn_k400_8 -> model.urls.tsn_k400_8, TSN_DEFAULTS__DETECTOR__PER_LABEL__
// falling -> defaults.detector.perLabel.falling). List indices are at most MAX_ENV_LIST_INDEX: an index
// builds the list up to it, so TSN_CAMERAS__99999999__URL would otherwise exhaust memory.
// Only variables whose first part names a top-level config section count: other TSN_ variables
// (TSN_REQUIRE_ALL for the test runner) are not configuration and are left alone.
import { parse as parseYaml } from 'yaml';
import { TsnError } from '../errors/index.js';

export const ENV_PREFIX = 'TSN_';
export const MAX_ENV_LIST_INDEX = 999;

export interface EnvOverride {
  readonly name: string;
  readonly path: readonly (string | number)[];
  readonly value: unknown;
}

export function envKeyToPath(name: string): (string | number)[] {
  return name
    .slice(ENV_PREFIX.length)
    .split('__')
    .map((part) => (/^\d+$/.test(part) ? Number(part) : /[a-z]/.test(part) ? part : snakeToCamel(part)));
}

function snakeToCamel(part: string): string {
  return part.toLowerCase().replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** Reads the overrides from an environment (process.env by default), sorted by name for determinism. */
export function readEnvOverrides(
  topLevelKeys: readonly string[],
  env: Readonly<Record<string, string | undefined>> = process.env,
): EnvOverride[] {
  const overrides: EnvOverride[] = [];
  for (const name of Object.keys(env).sort()) {
    const raw = env[name];
    if (!name.startsWith(ENV_PREFIX) || raw === undefined) continue;
    const path = envKeyToPath(name);
    if (typeof path[0] !== 'string' || !topLevelKeys.includes(path[0])) {
      checkLikelyTypo(name, topLevelKeys);
      continue;
    }
    if (path.some((p) => p === '')) {
      throw new TsnError(
        'E_CONFIG_ENV',
        `${name}: empty key part; use TSN_SECTION__KEY (double underscore)`,
        {
          context: { variable: name },
        },
      );
    }
    const index = path.find((p): p is number => typeof p === 'number' && p > MAX_ENV_LIST_INDEX);
    if (index !== undefined) {
      throw new TsnError(
        'E_CONFIG_ENV',
        `${name}: list index ${index} is larger than ${MAX_ENV_LIST_INDEX}; number list entries from 0`,
        { context: { variable: name, index } },
      );
    }
    overrides.push({ name, path, value: parseEnvValue(name, raw) });
  }
  return overrides;
}

/** TSN_MODEL_DIR looks like configuration but is not (one underscore): say so rather than ignore it. */
function checkLikelyTypo(name: string, topLevelKeys: readonly string[]): void {
  const firstWord = name.slice(ENV_PREFIX.length).split('_')[0]?.toLowerCase() ?? '';
  const section = topLevelKeys.find((k) => k.toLowerCase() === firstWord);
  if (section === undefined) return;
  const rest = name.slice(ENV_PREFIX.length + firstWord.length + 1);
  throw new TsnError(
    'E_CONFIG_ENV',
    `${name} is not a config override: sections and keys are separated by a double underscore, e.g. TSN_${firstWord.toUpperCase()}__${rest}`,
    { context: { variable: name } },
  );
}

function parseEnvValue(name: string, raw: string): unknown {
  try {
    return raw === '' ? '' : (parseYaml(raw) as unknown);
  } catch (cause) {
    throw new TsnError('E_CONFIG_ENV', `${name}: value is not a valid YAML scalar or list: ${raw}`, {
      cause,
      context: { variable: name },
    });
  }
}
