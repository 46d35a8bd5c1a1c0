// A small JSON Schema (draft 2020-12) validator for the subset schemas/*.json use. It throws on any keyword it
// does not know, so a schema edit can never be silently ignored by the tests.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './paths.js';

type Schema = boolean | { readonly [keyword: string]: unknown };

const ANNOTATIONS = new Set(['$schema', '$id', 'title', 'description', '$defs', 'examples']);
const KNOWN = new Set([
  ...ANNOTATIONS,
  'type',
  'required',
  'properties',
  'additionalProperties',
  'enum',
  'const',
  'items',
  'minimum',
  'maximum',
  'minLength',
  'format',
  '$ref',
  'oneOf',
]);

// RFC 3339 date-time as produced by Date#toISOString (and offsets other producers use).
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function matchesType(value: unknown, type: string): boolean {
  const actual = typeOf(value);
  return actual === type || (type === 'number' && actual === 'integer');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeOf(value) === 'object';
}

export class JsonSchemaValidator {
  constructor(private readonly root: Schema) {}

  /** Returns a list of "path: problem" strings; empty when the value is valid. */
  validate(value: unknown): string[] {
    const errors: string[] = [];
    this.check(this.root, value, '$', errors);
    return errors;
  }

  private resolve(ref: string): Schema {
    if (!ref.startsWith('#/')) throw new Error(`only local $ref is supported, got ${ref}`);
    let node: unknown = this.root;
    for (const part of ref.slice(2).split('/')) {
      node = isObject(node) ? node[part] : undefined;
    }
    if (node === undefined) throw new Error(`unresolved $ref ${ref}`);
    return node as Schema;
  }

  private check(schema: Schema, value: unknown, path: string, errors: string[]): void {
    if (schema === true) return;
    if (schema === false) {
      errors.push(`${path}: no value allowed here`);
      return;
    }
    for (const keyword of Object.keys(schema)) {
      if (!KNOWN.has(keyword)) throw new Error(`unsupported JSON Schema keyword "${keyword}" at ${path}`);
    }
    const s = schema;
    if (typeof s.$ref === 'string') this.check(this.resolve(s.$ref), value, path, errors);
    if (s.type !== undefined) {
      const types = Array.isArray(s.type) ? (s.type as string[]) : [s.type as string];
      if (!types.some((t) => matchesType(value, t))) {
        errors.push(`${path}: expected ${types.join('|')}, got ${typeOf(value)}`);
        return;
      }
    }
    if ('const' in s && JSON.stringify(s.const) !== JSON.stringify(value)) {
      errors.push(`${path}: expected ${JSON.stringify(s.const)}`);
    }
    if (Array.isArray(s.enum) && !s.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))) {
      errors.push(`${path}: ${JSON.stringify(value)} not in ${JSON.stringify(s.enum)}`);
    }
    if (typeof value === 'number') this.checkNumber(s, value, path, errors);
    if (typeof value === 'string') this.checkString(s, value, path, errors);
    if (Array.isArray(value) && s.items !== undefined) {
      value.forEach((item, i) => this.check(s.items as Schema, item, `${path}[${i}]`, errors));
    }
    if (isObject(value)) this.checkObject(s, value, path, errors);
    if (Array.isArray(s.oneOf)) this.checkOneOf(s.oneOf as Schema[], value, path, errors);
  }

  private checkNumber(s: Record<string, unknown>, value: number, path: string, errors: string[]): void {
    if (!Number.isFinite(value)) errors.push(`${path}: not a finite number`);
    if (typeof s.minimum === 'number' && value < s.minimum) errors.push(`${path}: ${value} < ${s.minimum}`);
    if (typeof s.maximum === 'number' && value > s.maximum) errors.push(`${path}: ${value} > ${s.maximum}`);
  }

  private checkString(s: Record<string, unknown>, value: string, path: string, errors: string[]): void {
    if (typeof s.minLength === 'number' && value.length < s.minLength) errors.push(`${path}: too short`);
    if (s.format === 'date-time' && (!DATE_TIME.test(value) || Number.isNaN(Date.parse(value)))) {
      errors.push(`${path}: "${value}" is not an RFC 3339 date-time`);
    }
  }

  private checkObject(
    s: Record<string, unknown>,
    value: Record<string, unknown>,
    path: string,
    errors: string[],
  ): void {
    const properties = (s.properties ?? {}) as Record<string, Schema>;
    for (const key of (s.required ?? []) as string[]) {
      if (!(key in value)) errors.push(`${path}: missing required "${key}"`);
    }
    for (const [key, child] of Object.entries(value)) {
      const propertySchema = properties[key];
      if (propertySchema !== undefined) this.check(propertySchema, child, `${path}.${key}`, errors);
      else if (s.additionalProperties === false) errors.push(`${path}: unexpected property "${key}"`);
    }
  }

  private checkOneOf(options: Schema[], value: unknown, path: string, errors: string[]): void {
    const results = options.map((option) => {
      const sub: string[] = [];
      this.check(option, value, path, sub);
      return sub;
    });
    const passing = results.filter((r) => r.length === 0).length;
    if (passing !== 1) {
      errors.push(`${path}: matches ${passing} of oneOf (need exactly 1): ${results.flat().join('; ')}`);
    }
  }
}

export type SchemaName = 'event' | 'prediction' | 'status';

export function loadSchema(name: SchemaName): JsonSchemaValidator {
  const text = readFileSync(join(repoRoot, 'schemas', `${name}.v1.json`), 'utf8');
  return new JsonSchemaValidator(JSON.parse(text) as Schema);
}

/** Throws with every problem listed when `value` does not match the named schema. */
export function assertMatchesSchema(name: SchemaName, value: unknown): void {
  const errors = loadSchema(name).validate(value);
  if (errors.length > 0) throw new Error(`not a valid ${name}.v1 message:\n  ${errors.join('\n  ')}`);
}
