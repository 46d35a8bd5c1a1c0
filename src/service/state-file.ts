// Cameras changed at run time survive a restart: the full camera list is kept in a JSON file, written
// atomically (temp file in the same directory, fsync, rename) so a crash never leaves half a file.
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
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
    text = await readFile(path, 'utf8');
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
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
  const temp = `${path}.${process.pid}.tmp`;
  try {
    await mkdir(dirname(path), { recursive: true });
    const handle = await open(temp, 'w', 0o600);
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
