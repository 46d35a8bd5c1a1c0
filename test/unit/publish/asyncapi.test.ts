// docs/asyncapi.yaml stays consistent with the code: every $ref resolves, channel addresses are the subjects
// the publisher builds, and documented close codes are the ones the hub uses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { repoRoot } from '../../helpers/paths.js';
import { createSubjects } from '../../../src/publish/subjects.js';
import { WS_CLOSE } from '../../../src/publish/websocket/close-codes.js';
import { DEFAULT_EVENTS_PATH } from '../../../src/publish/websocket/hub.js';

const docPath = join(repoRoot, 'docs', 'asyncapi.yaml');
const text = readFileSync(docPath, 'utf8');
const doc = parse(text) as Record<string, unknown>;

function refs(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((n) => refs(n, out));
  else if (typeof node === 'object' && node !== null) {
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string') out.push(v);
      else refs(v, out);
    }
  }
  return out;
}

function resolveLocal(pointer: string): unknown {
  let node: unknown = doc;
  for (const part of pointer.slice(2).split('/')) {
    node = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[part] : undefined;
  }
  return node;
}

test('asyncapi.yaml is AsyncAPI 3 and every $ref resolves', () => {
  assert.equal(doc.asyncapi, '3.0.0');
  const all = refs(doc);
  assert.ok(all.length > 20);
  for (const ref of all) {
    if (ref.startsWith('#/')) assert.notEqual(resolveLocal(ref), undefined, ref);
    else assert.ok(existsSync(join(dirname(docPath), ref)), ref);
  }
});

test('channel addresses are the subjects and path the code uses', () => {
  const s = createSubjects();
  const channels = doc.channels as Record<string, { address: string }>;
  assert.equal(channels.actionEvents?.address, s.event('{camera}', '{label}'));
  assert.equal(channels.predictions?.address, s.prediction('{camera}'));
  assert.equal(channels.cameraStatus?.address, s.status('{camera}'));
  assert.equal(channels.wsEvents?.address, DEFAULT_EVENTS_PATH);
});

test('every close code the hub uses is documented', () => {
  for (const code of Object.values(WS_CLOSE)) assert.match(text, new RegExp(`- ${code} `), String(code));
});
