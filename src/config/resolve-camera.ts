// A camera's effective settings: the config's defaults with the camera's own overrides on top.
// The detector group (and its labels, perLabel) merges key by key; a camera's backoff list replaces the default.
import type { CameraDefaults, CameraSpec } from './schema-camera.js';

/** As validated; the pipeline's DetectorSettings is the one named type of these settings. */
type DetectorDefaults = CameraDefaults['detector'];

export type ResolvedCamera = CameraDefaults & {
  readonly id: string;
  readonly url: string;
  readonly substreamUrl: string | undefined;
  readonly enabled: boolean;
};

export function resolveCamera(defaults: CameraDefaults, camera: CameraSpec): ResolvedCamera {
  const { id, url, substreamUrl, enabled, detector, ...flat } = camera;
  return {
    ...defaults,
    ...dropUndefined(flat),
    id,
    url,
    substreamUrl,
    enabled,
    detector: mergeDetector(defaults.detector, detector ?? {}),
  };
}

function mergeDetector(base: DetectorDefaults, over: NonNullable<CameraSpec['detector']>): DetectorDefaults {
  const { labels, perLabel, ...flat } = over;
  const mergedPerLabel: Record<string, DetectorDefaults['perLabel'][string]> = { ...base.perLabel };
  for (const [label, thresholds] of Object.entries(perLabel ?? {})) {
    mergedPerLabel[label] = { ...base.perLabel[label], ...dropUndefined(thresholds) };
  }
  return {
    ...base,
    ...dropUndefined(flat),
    labels: { ...base.labels, ...dropUndefined(labels ?? {}) },
    perLabel: mergedPerLabel,
  };
}

/** A copy without the keys whose value is undefined (a validated optional key may hold undefined). */
export function dropUndefined<T extends object>(value: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]?: Exclude<T[K], undefined>;
  };
}
