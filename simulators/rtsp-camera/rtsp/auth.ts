import { createHash, timingSafeEqual } from 'node:crypto';
import type { CameraAuth } from '../types.js';

export const defaultRealm = 'tsn-simulate';

export interface DigestParams {
  readonly username: string;
  readonly password: string;
  readonly realm: string;
  readonly nonce: string;
  readonly method: string;
  readonly uri: string;
  /** Absent or undefined: the client sent no qop (RFC 2069 digest). */
  readonly qop?: string | undefined;
  readonly nc?: string | undefined;
  readonly cnonce?: string | undefined;
}

const md5 = (text: string): string => createHash('md5').update(text, 'utf8').digest('hex');

/** RFC 2617 3.2.2.1 request-digest, with qop=auth or without qop (RFC 2069 compatibility). */
export function digestResponse(p: DigestParams): string {
  const ha1 = md5(`${p.username}:${p.realm}:${p.password}`);
  const ha2 = md5(`${p.method}:${p.uri}`);
  if (p.qop === 'auth' || p.qop === 'auth-int') {
    return md5(`${ha1}:${p.nonce}:${p.nc ?? ''}:${p.cnonce ?? ''}:${p.qop}:${ha2}`);
  }
  return md5(`${ha1}:${p.nonce}:${ha2}`);
}

/** Parses `Digest k=v, k="v"` (values may hold commas inside quotes). */
export function parseAuthParams(header: string): Map<string, string> {
  const params = new Map<string, string>();
  const pattern = /([a-zA-Z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))/g;
  for (const m of header.matchAll(pattern)) {
    params.set(m[1]!.toLowerCase(), m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : (m[3] ?? ''));
  }
  return params;
}

export function challengeHeader(auth: CameraAuth, realm: string, nonce: string): string {
  return auth.scheme === 'basic' ? `Basic realm="${realm}"` : `Digest realm="${realm}", nonce="${nonce}"`;
}

/** Checks an Authorization header against the camera's credentials. */
export function isAuthorized(
  auth: CameraAuth,
  header: string | undefined,
  request: { method: string; realm: string; nonce: string },
): boolean {
  if (header === undefined) return false;
  const space = header.indexOf(' ');
  const scheme = header.slice(0, space < 0 ? header.length : space).toLowerCase();
  const rest = space < 0 ? '' : header.slice(space + 1).trim();
  if (auth.scheme === 'basic') {
    if (scheme !== 'basic') return false;
    const expected = Buffer.from(`${auth.username}:${auth.password}`, 'utf8').toString('base64');
    return safeEqual(rest, expected);
  }
  if (scheme !== 'digest') return false;
  const params = parseAuthParams(rest);
  if (params.get('username') !== auth.username || params.get('nonce') !== request.nonce) return false;
  if (params.get('realm') !== request.realm) return false;
  const expected = digestResponse({
    username: auth.username,
    password: auth.password,
    realm: request.realm,
    nonce: request.nonce,
    method: request.method,
    uri: params.get('uri') ?? '',
    qop: params.get('qop'),
    nc: params.get('nc'),
    cnonce: params.get('cnonce'),
  });
  return safeEqual(params.get('response') ?? '', expected);
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
