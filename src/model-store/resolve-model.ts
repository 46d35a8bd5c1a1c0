// Model selection: a model directory as given, or a published model name looked up in the cache,
// else downloaded once (resumable, retried), its sha256 recorded, and converted into the cache.
import { mkdir, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Config } from '../config/index.js';
import { TsnError } from '../errors/index.js';
import { convertCheckpoint } from '../model/convert.js';
import { publishedModels, type PublishedModel, type PublishedName } from './catalog.js';
import { DEMO_MODEL_NAME, ensureDemoModel } from './demo-model.js';
import { DownloadFailure, downloadFile, type DownloadOptions, type DownloadProgress } from './download.js';
import type { ProgressLog } from './progress.js';
import { sha256File } from './sha256.js';
import { pathExists } from '../model/path-exists.js';

export const DEFAULT_MODEL_NAME: PublishedName = 'tsn_k400_8';

export interface ResolveModelDeps {
  readonly log: ProgressLog;
  readonly progress?: (label: string) => DownloadProgress;
  /** Retry tuning (tests shorten the delays). */
  readonly download?: Pick<
    DownloadOptions,
    'maxAttempts' | 'baseDelayMs' | 'maxDelayMs' | 'idleTimeoutMs' | 'sleep'
  >;
  readonly homeDir?: string;
  /** Aborts a download in progress (service shutdown). */
  readonly signal?: AbortSignal;
}

export interface ResolvedModelDir {
  readonly dir: string;
  readonly origin: 'dir' | 'cache' | 'downloaded' | 'converted-from-cache' | 'built-from-assets';
}

export async function resolveModelDir(
  model: Config['model'],
  deps: ResolveModelDeps,
): Promise<ResolvedModelDir> {
  if (model.dir !== undefined) return { dir: resolve(model.dir), origin: 'dir' };
  const cacheDir = expandHome(model.cacheDir, deps.homeDir ?? homedir());
  // Compared as a string: the config's name list may or may not list the demo model yet.
  if ((model.name as string | undefined) === DEMO_MODEL_NAME)
    return { dir: await ensureDemoModel(cacheDir, deps.log), origin: 'built-from-assets' };
  const published = publishedModels[(model.name ?? DEFAULT_MODEL_NAME) as PublishedName];
  const modelDir = join(cacheDir, published.name);
  if (await pathExists(join(modelDir, 'manifest.json'))) return { dir: modelDir, origin: 'cache' };
  const checkpoint = join(cacheDir, published.fileName);
  const url = model.urls[published.name] ?? published.url;
  let origin: ResolvedModelDir['origin'] = 'converted-from-cache';
  if (!(await pathExists(checkpoint))) {
    if (!model.download) throw offlineError(published, url, checkpoint, 'model.download is false');
    await fetchCheckpoint(published, url, checkpoint, deps);
    origin = 'downloaded';
  }
  deps.log.info({ model: published.name, checkpoint, dir: modelDir }, 'converting checkpoint');
  const converted = await convertCheckpoint({
    checkpointPath: checkpoint,
    outDir: modelDir,
    defaultNumSeg: published.numSeg,
    force: true,
  });
  deps.log.info(
    { model: published.name, sha256: converted.manifest.source.sha256, dir: modelDir },
    'model ready',
  );
  return { dir: modelDir, origin };
}

async function fetchCheckpoint(published: PublishedModel, url: string, dest: string, deps: ResolveModelDeps) {
  await mkdir(resolve(dest, '..'), { recursive: true });
  deps.log.info({ model: published.name, url, dest }, 'downloading checkpoint (once; resumable)');
  try {
    const progress = deps.progress?.(published.name);
    await downloadFile({
      url,
      dest,
      ...deps.download,
      ...(progress === undefined ? {} : { progress }),
      ...(deps.signal === undefined ? {} : { signal: deps.signal }),
      onRetry: (info) => deps.log.info({ model: published.name, ...info }, 'download interrupted; retrying'),
    });
  } catch (error) {
    if (error instanceof DownloadFailure) {
      if (error.kind === 'network' && !error.receivedAnyBytes)
        throw offlineError(published, url, dest, error.message);
      throw new TsnError(
        'E_MODEL_DOWNLOAD',
        `download of ${published.name} from ${url} failed (${error.message}); the partial file ${dest}.part resumes on the next start, or fetch it yourself: curl -fL -C - -o ${dest} ${url}`,
        { cause: error, context: { model: published.name, url, dest } },
      );
    }
    throw error;
  }
  const { sha256 } = await sha256File(dest);
  await writeFile(`${dest}.sha256`, `${sha256}  ${published.fileName}\n`);
  deps.log.info({ model: published.name, sha256 }, 'checkpoint downloaded');
}

/** One line that says exactly how to provide the model by hand. */
function offlineError(published: PublishedModel, url: string, dest: string, reason: string): TsnError {
  return new TsnError(
    'E_MODEL_OFFLINE',
    `model ${published.name} is not in the cache and cannot be downloaded (${reason}); fetch it where there is internet: curl -fL -o ${published.fileName} ${url} and copy it to ${dest}, or run tsn convert ${published.fileName} --out DIR and start with --model DIR`,
    { context: { model: published.name, url, dest, reason } },
  );
}

export function expandHome(path: string, home: string): string {
  return path === '~' ? home : path.startsWith('~/') ? join(home, path.slice(2)) : resolve(path);
}
