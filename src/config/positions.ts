// Maps a config path (from a zod issue) to a line:col in the YAML file it came from.
import { isMap, isNode, isScalar, type Document, type LineCounter } from 'yaml';
import type { ConfigPath } from './object-path.js';

export interface SourcePosition {
  readonly line: number;
  readonly col: number;
}

/**
 * The position of the value at `path`, or of the key itself when `atKey` (unknown keys point at the
 * key). A path that is absent from the file (a required key left out) maps to its nearest ancestor.
 */
export function positionOf(
  doc: Document,
  lineCounter: LineCounter,
  path: ConfigPath,
  atKey = false,
): SourcePosition | undefined {
  for (let depth = path.length; depth >= 0; depth--) {
    const offset = offsetOf(doc, path.slice(0, depth), atKey && depth === path.length);
    if (offset !== undefined) return lineCounter.linePos(offset);
  }
  return undefined;
}

function offsetOf(doc: Document, path: ConfigPath, atKey: boolean): number | undefined {
  if (path.length === 0) return isNode(doc.contents) ? doc.contents.range?.[0] : undefined;
  if (atKey) {
    const parent = path.length === 1 ? doc.contents : doc.getIn(path.slice(0, -1), true);
    if (!isMap(parent)) return undefined;
    const last = path[path.length - 1];
    const pair = parent.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === last);
    return isNode(pair?.key) ? pair.key.range?.[0] : undefined;
  }
  const node: unknown = doc.getIn(path, true);
  return isNode(node) ? node.range?.[0] : undefined;
}
