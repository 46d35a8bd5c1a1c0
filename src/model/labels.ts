import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TsnError } from '../errors/index.js';
import type { RegularFileRules } from './regular-file.js';
import { pathExists } from './path-exists.js';

const INDEXED_LINE = /^(\d+)\s+(\S.*)$/;

/** The Kinetics-400 class names shipped with the package (PaddleVideo's k400 label list). */
export const K400_LABELS_ASSET = join('assets', 'labels', 'k400.txt');
export const K400_CLASS_COUNT = 400;

/** Label lists are read as regular files of at most 4 MiB (a FIFO or a huge file is refused unread). */
export const LABELS_FILE_RULES: RegularFileRules = Object.freeze({
  what: 'labels file',
  maxBytes: 4 << 20,
  code: 'E_MODEL_LABELS',
});

/**
 * Parses a label list: either every line is "index name" (indices 0..n-1, any order) or every line is a
 * plain name. Trailing blank lines are ignored; a blank line in the middle is an error (it would shift
 * every later index).
 */
export function parseLabels(text: string, source: string): string[] {
  const lines = text.replace(/\r\n?/g, '\n').replace(/\n+$/, '').split('\n');
  const fail = (what: string, line?: number): never => {
    throw new TsnError('E_MODEL_LABELS', `labels file ${source}: ${what}`, {
      context: { file: source, line },
    });
  };
  if (lines.length === 1 && lines[0]?.trim() === '') fail('it is empty');
  lines.forEach((l, i) => {
    if (l.trim() === '') fail(`line ${i + 1} is empty`, i + 1);
  });
  if (!lines.every((l) => INDEXED_LINE.test(l.trim()))) return lines.map((l) => l.trim());
  const labels = new Array<string | undefined>(lines.length);
  lines.forEach((l, i) => {
    const [, index, name] = INDEXED_LINE.exec(l.trim()) as RegExpExecArray;
    const k = Number(index);
    if (k >= lines.length || labels[k] !== undefined)
      fail(`index ${k} on line ${i + 1} is out of range or repeated`, i + 1);
    labels[k] = (name as string).trim();
  });
  return labels as string[];
}

export function formatLabels(labels: readonly string[]): string {
  return labels.map((l) => `${l}\n`).join('');
}

export function placeholderLabels(numClasses: number): string[] {
  return Array.from({ length: numClasses }, (_, i) => `class_${i}`);
}

/** A label may not be blank or span lines, since labels.txt holds one per line. */
export function checkLabels(labels: readonly string[], numClasses: number, source: string): void {
  if (labels.length !== numClasses) {
    throw new TsnError(
      'E_MODEL_LABELS',
      `${source} has ${labels.length} labels but the model has ${numClasses} classes`,
      { context: { file: source, labels: labels.length, numClasses } },
    );
  }
  const bad = labels.findIndex((l) => l.trim() === '' || /[\r\n]/.test(l) || l !== l.trim());
  if (bad >= 0) {
    throw new TsnError(
      'E_MODEL_LABELS',
      `${source}: label ${bad} is blank, spans lines or has outer spaces`,
      {
        context: { file: source, index: bad },
      },
    );
  }
}

/**
 * Finds a file shipped with the package: walks up from this module to the nearest package.json (the
 * package root, whether running from src/ with tsx, from dist/src/, or installed under node_modules) and
 * looks there only, so an unrelated directory further up can never be picked.
 */
export async function findPackageAsset(relative: string): Promise<string | null> {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (await pathExists(join(dir, 'package.json'))) {
      const candidate = join(dir, relative);
      return (await pathExists(candidate)) ? candidate : null;
    }
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

/** Kinetics-400 names for a 400-class model, else class_0 ... class_{n-1}. */
export async function defaultLabels(numClasses: number): Promise<{ labels: string[]; source: string }> {
  if (numClasses === K400_CLASS_COUNT) {
    const path = await findPackageAsset(K400_LABELS_ASSET);
    if (path !== null)
      return { labels: parseLabels(await readFile(path, 'utf8'), path), source: 'kinetics-400' };
  }
  return { labels: placeholderLabels(numClasses), source: 'placeholder' };
}
