// Safe by default: an API reachable from the network without a token lets anyone add a camera (and so
// make ffmpeg open URLs) or read events. Off loopback, a token is required unless the operator says in
// the configuration that anonymous access is intended.
import { isIP } from 'node:net';
import { TsnError } from '../errors/index.js';
import type { Config } from './schema.js';

/** localhost, *.localhost, ::1 and 127.0.0.0/8 (brackets and case ignored). */
export function isLoopbackHost(host: string): boolean {
  const lower = host.toLowerCase();
  const bare = lower.startsWith('[') && lower.endsWith(']') ? lower.slice(1, -1) : lower;
  if (bare === 'localhost' || bare.endsWith('.localhost') || bare === '::1') return true;
  return isIP(bare) === 4 && bare.startsWith('127.');
}

export function assertSafeExposure(server: Config['server']): void {
  if (isLoopbackHost(server.host)) return;
  if (server.auth.token !== undefined || server.auth.allowAnonymous) return;
  throw new TsnError(
    'E_CONFIG_UNSAFE_BIND',
    `server.host ${server.host} is reachable from the network but no token is set: set server.auth.token ` +
      '(e.g. TSN_SERVER__AUTH__TOKEN=<16+ random characters>), or listen on 127.0.0.1, or set ' +
      'server.auth.allowAnonymous: true in the config if anyone on the network may control the service',
    { context: { host: server.host } },
  );
}
