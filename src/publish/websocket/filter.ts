// WebSocket subscription filters: parsed from the upgrade query string or from a {"op":"subscribe"} message,
// matched against each outgoing wire message. Pure, so the rules are golden-tested without sockets.
import { WIRE_MESSAGE_TYPES, type WireMessage, type WireMessageType } from '../wire.js';

export interface SubscriptionFilter {
  /** Empty means every camera. */
  readonly cameras: readonly string[];
  /** Empty means every label. */
  readonly labels: readonly string[];
  readonly types: readonly WireMessageType[];
  readonly minScore: number;
}

/** Action events only: predictions (one per stride and camera) and status are opt-in. */
export const DEFAULT_TYPES: readonly WireMessageType[] = ['action.started', 'action.ended'];

export const DEFAULT_FILTER: SubscriptionFilter = Object.freeze({
  cameras: [],
  labels: [],
  types: DEFAULT_TYPES,
  minScore: 0,
});

export type FilterResult =
  { readonly ok: true; readonly filter: SubscriptionFilter } | { readonly ok: false; readonly error: string };

const MAX_LIST_ITEMS = 1000;
const FILTER_KEYS = new Set(['cameras', 'labels', 'types', 'minScore']);

function fail(error: string): FilterResult {
  return { ok: false, error };
}

function parseStringList(name: string, value: unknown): readonly string[] | string {
  const items =
    typeof value === 'string' ? value.split(',') : Array.isArray(value) ? (value as unknown[]) : undefined;
  if (items === undefined) return `"${name}" must be a comma-separated string or an array of strings`;
  if (items.length > MAX_LIST_ITEMS) return `"${name}" lists more than ${MAX_LIST_ITEMS} items`;
  const out: string[] = [];
  for (const item of items) {
    if (typeof item !== 'string') return `"${name}" must contain only strings`;
    const trimmed = item.trim();
    if (trimmed.length > 0 && !out.includes(trimmed)) out.push(trimmed);
  }
  return out;
}

function parseTypes(value: unknown): readonly WireMessageType[] | string {
  const list = parseStringList('types', value);
  if (typeof list === 'string') return list;
  const unknown = list.find((t) => !(WIRE_MESSAGE_TYPES as readonly string[]).includes(t));
  if (unknown !== undefined) return `unknown type "${unknown}"; use ${WIRE_MESSAGE_TYPES.join(', ')}`;
  return list.length === 0 ? DEFAULT_TYPES : (list as WireMessageType[]);
}

function parseMinScore(value: unknown): number | string {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n) || n < 0 || n > 1) {
    return `"minScore" must be a number between 0 and 1, got ${JSON.stringify(value)}`;
  }
  return n;
}

/** Builds a filter from already-extracted fields (undefined = not given = default). */
export function buildFilter(fields: Readonly<Record<string, unknown>>): FilterResult {
  const unknownKey = Object.keys(fields).find((k) => !FILTER_KEYS.has(k));
  if (unknownKey !== undefined) return fail(`unknown filter field "${unknownKey}"`);
  const cameras = fields.cameras === undefined ? [] : parseStringList('cameras', fields.cameras);
  if (typeof cameras === 'string') return fail(cameras);
  const labels = fields.labels === undefined ? [] : parseStringList('labels', fields.labels);
  if (typeof labels === 'string') return fail(labels);
  const types = fields.types === undefined ? DEFAULT_TYPES : parseTypes(fields.types);
  if (typeof types === 'string') return fail(types);
  const minScore = fields.minScore === undefined ? 0 : parseMinScore(fields.minScore);
  if (typeof minScore === 'string') return fail(minScore);
  return { ok: true, filter: { cameras, labels, types, minScore } };
}

// Query parameters that are not filters (the auth token) are left to their own handlers.
const NON_FILTER_QUERY_KEYS = new Set(['token']);

/** `?cameras=a,b&labels=x&types=action.started,prediction&minScore=0.5`; repeated keys are joined. */
export function parseFilterQuery(query: URLSearchParams): FilterResult {
  const fields: Record<string, string> = {};
  for (const key of new Set(query.keys())) {
    if (NON_FILTER_QUERY_KEYS.has(key)) continue;
    const values = query.getAll(key);
    fields[key] = key === 'minScore' ? (values.at(-1) ?? '') : values.join(',');
  }
  return buildFilter(fields);
}

export type ClientCommand =
  { readonly op: 'subscribe'; readonly filter: SubscriptionFilter } | { readonly op: 'ping' };

export type CommandResult =
  { readonly ok: true; readonly command: ClientCommand } | { readonly ok: false; readonly error: string };

/** Parses a text frame from a client: `{"op":"subscribe", cameras?, labels?, types?, minScore?}` or `{"op":"ping"}`. */
export function parseClientCommand(text: string): CommandResult {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { ok: false, error: 'message is not JSON; send {"op":"subscribe", ...}' };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { ok: false, error: 'message must be a JSON object with an "op" field' };
  }
  const { op, ...fields } = parsed as Record<string, unknown>;
  if (op === 'ping' && Object.keys(fields).length === 0) return { ok: true, command: { op: 'ping' } };
  if (op !== 'subscribe')
    return { ok: false, error: `unknown op ${JSON.stringify(op)}; use "subscribe" or "ping"` };
  const result = buildFilter(fields);
  return result.ok ? { ok: true, command: { op: 'subscribe', filter: result.filter } } : result;
}

function topOf(message: WireMessage): { label: string; score: number } | undefined {
  if (message.type === 'status') return undefined;
  if (message.type === 'prediction') return message.top[0];
  return { label: message.label, score: message.score };
}

/**
 * Events match on camera, label and score. Predictions match on camera and on their top-1 label and score.
 * Status messages match on camera only: a label or score filter does not hide a camera going down.
 */
export function matchesFilter(filter: SubscriptionFilter, message: WireMessage): boolean {
  if (!filter.types.includes(message.type)) return false;
  if (filter.cameras.length > 0 && !filter.cameras.includes(message.camera)) return false;
  if (message.type === 'status') return true;
  const top = topOf(message);
  if (top === undefined) return filter.labels.length === 0 && filter.minScore === 0;
  if (filter.labels.length > 0 && !filter.labels.includes(top.label)) return false;
  return top.score >= filter.minScore;
}
