// Command-line flags, applied on top of the file and the environment.
import { TsnError } from '../errors/index.js';
import { MODEL_NAMES } from './schema.js';
import type { ConfigPath } from './object-path.js';

export interface ConfigFlags {
  /** A model directory or a published model name (tsn_k400, tsn_k400_8). */
  readonly model?: string;
  /** NAME=URL, repeatable: adds the camera, or replaces the URL of the camera with that id. */
  readonly camera?: readonly string[];
  readonly port?: string | number;
  readonly nats?: string;
  readonly backend?: string;
  /** all | edge | infer (cluster.role). */
  readonly role?: string;
}

export interface FlagOverride {
  readonly flag: string;
  readonly path: ConfigPath;
  /** undefined removes the key. */
  readonly value: unknown;
}

export function flagOverrides(flags: ConfigFlags, currentCameras: readonly unknown[]): FlagOverride[] {
  const out: FlagOverride[] = [];
  if (flags.model !== undefined) {
    const isName = (MODEL_NAMES as readonly string[]).includes(flags.model);
    out.push({ flag: '--model', path: ['model', 'name'], value: isName ? flags.model : undefined });
    out.push({ flag: '--model', path: ['model', 'dir'], value: isName ? undefined : flags.model });
  }
  if (flags.port !== undefined)
    out.push({ flag: '--port', path: ['server', 'port'], value: parsePort(flags.port) });
  if (flags.nats !== undefined) out.push({ flag: '--nats', path: ['nats', 'url'], value: flags.nats });
  if (flags.backend !== undefined)
    out.push({ flag: '--backend', path: ['backend', 'name'], value: flags.backend });
  if (flags.role !== undefined) out.push({ flag: '--role', path: ['cluster', 'role'], value: flags.role });
  const cameras = [...currentCameras];
  for (const spec of flags.camera ?? []) {
    const { id, url } = parseCameraFlag(spec);
    const index = cameras.findIndex((c) => isRecord(c) && c.id === id);
    if (index >= 0) {
      out.push({ flag: '--camera', path: ['cameras', index, 'url'], value: url });
    } else {
      out.push({ flag: '--camera', path: ['cameras', cameras.length], value: { id, url } });
      cameras.push({ id, url });
    }
  }
  return out;
}

function parsePort(port: string | number): number {
  const n = typeof port === 'number' ? port : Number(port);
  if (!Number.isInteger(n)) {
    throw new TsnError('E_CONFIG_FLAG', `--port ${String(port)}: not an integer port number`, {
      context: { flag: '--port' },
    });
  }
  return n;
}

export function parseCameraFlag(spec: string): { id: string; url: string } {
  const eq = spec.indexOf('=');
  if (eq <= 0 || eq === spec.length - 1) {
    throw new TsnError(
      'E_CONFIG_FLAG',
      `--camera ${spec}: expected NAME=URL, e.g. --camera door=rtsp://cam/stream`,
      {
        context: { flag: '--camera', value: spec },
      },
    );
  }
  return { id: spec.slice(0, eq), url: spec.slice(eq + 1) };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
