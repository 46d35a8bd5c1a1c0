// Labelled clip sets for finetune and eval: a directory with one sub-folder per label, or a PaddleVideo
// list file ("path label_index" per line, paths relative to the list file) with a labels file.
import { readFile, readdir, stat } from 'node:fs/promises';
import { dirname, extname, join, resolve } from 'node:path';
import { TsnError } from '../errors/index.js';
import { parseLabels } from '../model/labels.js';

export interface LabelledClip {
  readonly path: string;
  readonly label: number;
}

export interface Dataset {
  readonly labels: readonly string[];
  readonly clips: readonly LabelledClip[];
  readonly source: string;
}

export const VIDEO_EXTENSIONS = [
  '.mp4',
  '.avi',
  '.mkv',
  '.mov',
  '.webm',
  '.m4v',
  '.mpg',
  '.mpeg',
  '.flv',
  '.ts',
  '.3gp',
];

export async function loadDataset(data: string, labelsFile?: string): Promise<Dataset> {
  const root = resolve(data);
  const info = await stat(root).catch((cause: unknown) => {
    throw fail(
      `--data ${root} does not exist: pass a folder with one sub-folder per label, or a list file`,
      root,
      cause,
    );
  });
  if (info.isDirectory()) return fromDirectory(root);
  if (labelsFile === undefined)
    throw fail(`--data ${root} is a list file: pass --labels FILE with the class names`, root);
  return fromListFile(root, resolve(labelsFile));
}

async function fromDirectory(root: string): Promise<Dataset> {
  const entries = await readdir(root, { withFileTypes: true });
  const labels = entries
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .map((e) => e.name)
    .sort();
  if (labels.length < 2)
    throw fail(`${root} holds ${labels.length} label folder(s); a classifier needs at least 2`, root);
  const clips: LabelledClip[] = [];
  for (const [index, label] of labels.entries()) {
    const files = (await readdir(join(root, label), { withFileTypes: true }))
      .filter((e) => e.isFile() && VIDEO_EXTENSIONS.includes(extname(e.name).toLowerCase()))
      .map((e) => e.name)
      .sort();
    if (files.length === 0)
      throw fail(`label folder ${join(root, label)} has no video file (${VIDEO_EXTENSIONS.join(' ')})`, root);
    for (const f of files) clips.push({ path: join(root, label, f), label: index });
  }
  return { labels, clips, source: root };
}

async function fromListFile(listPath: string, labelsPath: string): Promise<Dataset> {
  const labelsText = await readFile(labelsPath, 'utf8').catch((cause: unknown) => {
    throw fail(`cannot read --labels ${labelsPath}`, labelsPath, cause);
  });
  const labels = parseLabels(labelsText, labelsPath);
  const text = await readFile(listPath, 'utf8');
  const base = dirname(listPath);
  const clips: LabelledClip[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const m = /^(.*\S)\s+(\d+)$/.exec(line);
    const label = Number(m?.[2]);
    if (m === null || label >= labels.length)
      throw fail(
        `${listPath} line ${i + 1}: expected "path label_index" with an index below ${labels.length}, got "${line}"`,
        listPath,
      );
    clips.push({ path: resolve(base, m[1] as string), label });
  });
  if (clips.length === 0) throw fail(`${listPath} lists no clip`, listPath);
  return { labels, clips, source: listPath };
}

/**
 * Re-indexes a dataset onto a model's classes by label name (folder names must be model labels); a list
 * file's indices are taken as the model's own.
 */
export function alignToModel(data: Dataset, modelLabels: readonly string[], byName: boolean): Dataset {
  if (!byName) {
    const bad = data.clips.find((c) => c.label >= modelLabels.length);
    if (bad !== undefined)
      throw fail(
        `${bad.path}: label index ${bad.label} is beyond the model's ${modelLabels.length} classes`,
        data.source,
      );
    return { ...data, labels: modelLabels };
  }
  const missing = data.labels.filter((l) => !modelLabels.includes(l));
  if (missing.length > 0)
    throw fail(
      `label folder(s) ${missing.join(', ')} are not classes of the model (${modelLabels.slice(0, 10).join(', ')}${modelLabels.length > 10 ? ', ...' : ''})`,
      data.source,
    );
  return {
    ...data,
    labels: modelLabels,
    clips: data.clips.map((c) => ({ ...c, label: modelLabels.indexOf(data.labels[c.label] as string) })),
  };
}

/** Stratified split: per label, a shuffled `fraction` (at least one clip when the label has two) goes to val. */
export function splitDataset(
  clips: readonly LabelledClip[],
  fraction: number,
  uniform: () => number,
): { train: LabelledClip[]; val: LabelledClip[] } {
  const train: LabelledClip[] = [];
  const val: LabelledClip[] = [];
  const byLabel = new Map<number, LabelledClip[]>();
  for (const c of clips) byLabel.set(c.label, [...(byLabel.get(c.label) ?? []), c]);
  for (const group of byLabel.values()) {
    const shuffled = [...group];
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = Math.floor(uniform() * (i + 1));
      [shuffled[i], shuffled[j]] = [shuffled[j] as LabelledClip, shuffled[i] as LabelledClip];
    }
    const n =
      fraction <= 0 ? 0 : Math.min(group.length - 1, Math.max(1, Math.round(group.length * fraction)));
    val.push(...shuffled.slice(0, n));
    train.push(...shuffled.slice(n));
  }
  return { train, val };
}

function fail(message: string, source: string, cause?: unknown): TsnError {
  return new TsnError('E_DATASET', message, { cause, context: { source } });
}
