// Cameras changed at run time survive a restart: the full camera list is kept in a JSON file, written
// atomically (temp file in the same directory, fsync, rename) so a crash never leaves half a file.
// The file holds camera URLs with their credentials (it must, to restart them), so it is private: 0600,
// in a directory created 0700, through a temp file with a random name opened O_EXCL|O_NOFOLLOW (a link
// planted at a predictable name cannot redirect the write), and a symlink is never read as the state.
import { constants } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import { cameraSchema, type CameraSpec } from '../config/index.js';
import { TsnError } from '../errors/index.js';

const STATE_VERSION = 1;

const stateSchema = z.strictObject({
  version: z.literal(STATE_VERSION),
  savedAt: z.string(),
  cameras: z.array(cameraSchema),
});

/** The saved camera list, or undefined when the file does not exist yet. */
export async function readStateFile(path: string): Promise<CameraSpec[] | undefined> {
  let text: string;
  try {
    const handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
    try {
      text = await handle.readFile('utf8');
    } finally {
      await handle.close();
    }
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ELOOP') throw stateError(path, 'a symbolic link; the state file must be a regular file');
    throw new TsnError('E_STATE_FILE', `cannot read state file ${path}: ${(cause as Error).message}`, {
      cause,
      context: { file: path },
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw stateError(path, 'not valid JSON', cause);
  }
  const parsed = stateSchema.safeParse(json);
  if (!parsed.success) throw stateError(path, parsed.error.issues.map((i) => i.message).join('; '));
  return parsed.data.cameras;
}

export async function writeStateFile(
  path: string,
  cameras: readonly CameraSpec[],
  now = new Date(),
): Promise<void> {
  const body = `${JSON.stringify({ version: STATE_VERSION, savedAt: now.toISOString(), cameras }, null, 2)}\n`;
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(8).toString('hex')}.tmp`);
  const exclusive = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
  try {
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    const handle = await open(temp, exclusive, 0o600);
    try {
      await handle.writeFile(body, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (cause) {
    await rm(temp, { force: true });
    throw new TsnError('E_STATE_FILE', `cannot write state file ${path}: ${(cause as Error).message}`, {
      cause,
      context: { file: path },
    });
  }
}

function stateError(path: string, why: string, cause?: unknown): TsnError {
  return new TsnError(
    'E_STATE_FILE',
    `state file ${path} is unusable (${why}); fix or delete it (the cameras from the config are used then)`,
    { cause, context: { file: path } },
  );
}
