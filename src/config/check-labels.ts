// A label named in the config (detector.labels.allow / deny, detector.perLabel keys) that the model does
// not have would silently never match: no event, ever. Checked once the model's labels are known.
import { TsnError } from '../errors/index.js';
import { editDistance } from './schema-keys.js';
import type { Config } from './schema.js';

/** As validated: an optional key may hold undefined. */
interface Detectorish {
  readonly labels?:
    | { readonly allow?: readonly string[] | undefined; readonly deny?: readonly string[] | undefined }
    | undefined;
  readonly perLabel?: Readonly<Record<string, unknown>> | undefined;
}

/** Throws E_CONFIG naming the first unknown label, where it is set, and the closest model labels. */
export function checkConfigLabels(config: Config, modelLabels: readonly string[]): void {
  const known = new Set(modelLabels);
  const places: [string, Detectorish | undefined][] = [
    ['defaults.detector', config.defaults.detector],
    ...config.cameras.map((c, i): [string, Detectorish | undefined] => [
      `cameras[${i}].detector`,
      c.detector,
    ]),
  ];
  for (const [where, detector] of places) {
    const named: [string, string][] = [
      ...(detector?.labels?.allow ?? []).map((l): [string, string] => [`${where}.labels.allow`, l]),
      ...(detector?.labels?.deny ?? []).map((l): [string, string] => [`${where}.labels.deny`, l]),
      ...Object.keys(detector?.perLabel ?? {}).map((l): [string, string] => [`${where}.perLabel`, l]),
    ];
    const unknown = named.find(([, label]) => !known.has(label));
    if (unknown === undefined) continue;
    const [key, label] = unknown;
    const closest = closestLabels(label, modelLabels);
    throw new TsnError(
      'E_CONFIG',
      `${key}: the model has no label "${label}"` +
        (closest.length > 0 ? `; closest: ${closest.map((c) => `"${c}"`).join(', ')}` : '') +
        ` (labels are matched exactly; the model's ${modelLabels.length} labels are in its labels file)`,
      { context: { key, label, closest } },
    );
  }
}

function closestLabels(label: string, modelLabels: readonly string[], count = 3): string[] {
  const wanted = label.toLowerCase();
  return modelLabels
    .map((l) => ({ l, d: editDistance(wanted, l.toLowerCase()) }))
    .sort((a, b) => a.d - b.d || a.l.localeCompare(b.l))
    .slice(0, count)
    .map((x) => x.l);
}
