// The state file holds camera credentials: private modes, no predictable temp name, no symlink followed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  lstatSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cameraSchema } from '../../../src/config/index.js';
import { readStateFile, writeStateFile } from '../../../src/service/state-file.js';
import { TsnError } from '../../../src/errors/index.js';

const cameras = [cameraSchema.parse({ id: 'c1', url: 'rtsp://admin:Pa#Hash9xx@10.0.0.5/live' })];

test('written 0600 in a directory created 0700, no temp file left', async () => {
  const root = mkdtempSync(join(tmpdir(), 'tsn-state-'));
  const path = join(root, 'new', 'state.json');
  await writeStateFile(path, cameras);
  assert.equal(statSync(path).mode & 0o777, 0o600);
  assert.equal(statSync(join(root, 'new')).mode & 0o777, 0o700);
  assert.deepEqual(readdirSync(join(root, 'new')), ['state.json']);
  assert.deepEqual(await readStateFile(path), cameras);
});

test('a symlink planted at the old predictable temp name or at the path redirects nothing', async () => {
  const root = mkdtempSync(join(tmpdir(), 'tsn-state-'));
  const victim = join(root, 'victim.txt');
  writeFileSync(victim, 'untouched');
  const path = join(root, 'state.json');
  symlinkSync(victim, `${path}.${process.pid}.tmp`);
  symlinkSync(victim, path);
  await assert.rejects(
    readStateFile(path),
    (e: unknown) => e instanceof TsnError && e.code === 'E_STATE_FILE',
  );
  await writeStateFile(path, cameras);
  assert.equal(readFileSync(victim, 'utf8'), 'untouched');
  assert.ok(lstatSync(path).isFile(), 'the link was replaced by a regular file');
  assert.equal(statSync(path).mode & 0o777, 0o600);
});
