// Who may talk to the service at all, decided before any route or upgrade runs: the Host header must name
// this service (a DNS-rebinding page on another name cannot reach a loopback API), and a browser's
// WebSocket upgrade must come from this origin or a configured one (a page elsewhere cannot subscribe).
import type { IncomingMessage } from 'node:http';
import { isLoopbackHost } from '../config/index.js';
import type { UpgradeRefusal, UpgradeVerdict } from '../publish/websocket/auth.js';

export interface HostPolicy {
  /** The address the server is bound to (server.host). */
  readonly boundHost: string;
  /** server.allowedHosts: extra host names (no port); '*' turns the check off. */
  readonly allowedHosts: readonly string[];
}

export interface OriginPolicy {
  /** websocket.allowedOrigins: extra origins such as https://ops.example.com; '*' allows any. */
  readonly allowedOrigins: readonly string[];
}

const WILDCARDS = new Set(['0.0.0.0', '::', '']);

/** The host name of a Host header, lower-cased, without port or IPv6 brackets; undefined if malformed. */
export function hostNameOf(header: string | undefined): string | undefined {
  if (header === undefined || header === '') return undefined;
  try {
    return stripBrackets(new URL(`http://${header}`).hostname.toLowerCase());
  } catch {
    return undefined;
  }
}

export function hostAllowed(header: string | undefined, policy: HostPolicy): boolean {
  if (policy.allowedHosts.includes('*')) return true;
  const name = hostNameOf(header);
  if (name === undefined) return false;
  if (isLoopbackHost(name)) return true;
  const bound = stripBrackets(policy.boundHost.toLowerCase());
  if (!WILDCARDS.has(bound) && name === bound) return true;
  return policy.allowedHosts.some((h) => stripBrackets(h.toLowerCase()) === name);
}

/**
 * Browsers always send Origin on a WebSocket upgrade; other clients usually do not and are let through
 * (they are not driven by someone else's page). Same origin = the Origin's host:port is the Host header.
 */
export function originAllowed(
  origin: string | undefined,
  hostHeader: string | undefined,
  policy: OriginPolicy,
): boolean {
  if (origin === undefined) return true;
  if (policy.allowedOrigins.includes('*')) return true;
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false;
  }
  if (hostHeader !== undefined && parsed.host.toLowerCase() === hostHeader.toLowerCase()) return true;
  return policy.allowedOrigins.some(
    (o) => o.replace(/\/+$/, '').toLowerCase() === parsed.origin.toLowerCase(),
  );
}

function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

const misdirected: UpgradeRefusal = { status: 421, reason: 'Misdirected Request' };
const foreignOrigin: UpgradeRefusal = { status: 403, reason: 'Forbidden' };

/**
 * The WebSocket upgrade's gate (upgrades bypass the HTTP hooks): Host, then Origin, then the bearer token
 * when one protects the WebSocket.
 */
export function upgradeAuthorizer(
  hosts: HostPolicy,
  origins: OriginPolicy,
  tokenCheck?: (req: IncomingMessage) => boolean,
): (req: IncomingMessage) => UpgradeVerdict {
  return (req) => {
    const host = req.headers.host;
    if (!hostAllowed(host, hosts)) return misdirected;
    if (!originAllowed(req.headers.origin, host, origins)) return foreignOrigin;
    return tokenCheck === undefined || tokenCheck(req);
  };
}
