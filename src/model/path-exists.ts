import { access } from 'node:fs/promises';

/** True when something (of any kind) exists at `path` and can be reached. */
export async function pathExists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
