// A camera as the API shows it: the spec with credentials masked, plus its runtime state.
import { redactUrl } from '../sources/redact.js';
import type { CameraView } from './types.js';

export function cameraJson(view: CameraView): Record<string, unknown> {
  const { url, substreamUrl, ...rest } = view.spec;
  return {
    ...rest,
    url: redactUrl(url),
    ...(substreamUrl === undefined ? {} : { substreamUrl: redactUrl(substreamUrl) }),
    status: view.status,
    fps: view.fps,
    lastPrediction: view.lastPrediction,
    counters: view.counters,
    ...(view.owner === undefined ? {} : { owner: view.owner }),
  };
}
