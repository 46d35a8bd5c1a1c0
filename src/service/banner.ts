// The first lines a newcomer reads: what runs, where to look, how to switch to real models and cameras.
import { redactUrl } from '../sources/redact.js';
import { schemeOf } from '../sources/registry.js';
import { parseSimUrl, schedulePathOf } from './simulated-camera.js';

export interface BannerInput {
  /** http://host:port of the API. */
  readonly url: string;
  /** The WebSocket path, or null when the WebSocket is off. */
  readonly webSocketPath: string | null;
  readonly model: { readonly name?: string | undefined; readonly dir?: string | undefined };
  readonly cameras: readonly { readonly id: string; readonly url: string; readonly enabled: boolean }[];
  readonly clipsDir: string;
}

export function startupBanner(input: BannerInput): string[] {
  const model = input.model.dir ?? input.model.name ?? 'tsn_k400_8';
  const demo = input.model.dir === undefined && input.model.name === 'demo-actions';
  const lines = [
    `model: ${model}${demo ? ' (offline demo: wave, jumping_jacks, walk, squat, fall; built on first start)' : ''}`,
  ];
  for (const camera of input.cameras) {
    const state = camera.enabled ? '' : ' (disabled)';
    lines.push(
      `camera ${camera.id}: ${redactUrl(camera.url)}${state}${groundTruth(camera.url, input.clipsDir)}`,
    );
  }
  lines.push(`dashboard: ${input.url}/`);
  if (input.webSocketPath !== null) {
    const ws = input.url.replace(/^http/, 'ws');
    lines.push(`events: ${ws}${input.webSocketPath} (e.g. npx wscat -c ${ws}${input.webSocketPath})`);
  }
  lines.push(`recent events: ${input.url}/v1/events/recent, cameras: ${input.url}/v1/cameras`);
  if (demo) {
    lines.push(
      'Kinetics-400 (400 actions, downloads ~100 MB once): npm start -- --model tsn_k400_8; ' +
        'real cameras: npm start -- --camera door=rtsp://user:pass@host/path',
    );
  }
  return lines;
}

function groundTruth(url: string, clipsDir: string): string {
  if (schemeOf(url) !== 'sim') return '';
  try {
    const sim = parseSimUrl(url);
    if (sim.actions === undefined) return '';
    return ` (synthetic actions, seed ${sim.actions}; ground truth: ${schedulePathOf(clipsDir, sim.name)})`;
  } catch {
    return '';
  }
}
