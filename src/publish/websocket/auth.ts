// The one bearer-token check of the project (HTTP mutations, WHIP, the WebSocket upgrade). Tokens are
// compared as SHA-256 digests with timingSafeEqual: equal lengths always, so the time taken says nothing
// about how much of a guess was right.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export type AuthVerdict = 'ok' | 'missing' | 'wrong';

/**
 * Why an upgrade is refused, answered like the HTTP API would (src/api/request-guard.ts): 421 for a Host
 * this service does not answer for (E_API_HOST), 403 for a page on another origin. A plain `false` from an
 * authorize hook is a missing or wrong token: 401 with WWW-Authenticate.
 */
export interface UpgradeRefusal {
  readonly status: 403 | 421;
  readonly reason: string;
}

/** What an upgrade's authorize hook answers: true lets it through. */
export type UpgradeVerdict = boolean | UpgradeRefusal;

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/** The token of `Authorization: Bearer <token>`, or undefined. */
export function bearerFromHeader(header: string | undefined): string | undefined {
  const match = header === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

/** Checks a presented token against any of `tokens`; with no tokens configured every token is wrong. */
export function createBearerCheck(tokens: readonly string[]): (presented: string | undefined) => AuthVerdict {
  const expected = tokens.map(digest);
  return (presented) => {
    if (presented === undefined) return 'missing';
    const actual = digest(presented);
    // Every configured token is compared, so the time does not say which one (if any) matched.
    let ok = false;
    for (const e of expected) ok = timingSafeEqual(e, actual) || ok;
    return ok ? 'ok' : 'wrong';
  };
}

/** The bearer token of an upgrade request: `Authorization: Bearer <t>` or, for browsers, `?token=<t>`. */
export function bearerTokenOf(req: IncomingMessage): string | undefined {
  const fromHeader = bearerFromHeader(req.headers.authorization);
  if (fromHeader !== undefined) return fromHeader;
  const token = new URL(req.url ?? '/', 'http://localhost').searchParams.get('token');
  return token === null || token === '' ? undefined : token;
}

/** An `authorize` hook accepting any of `tokens`; with no tokens configured every request is rejected. */
export function bearerTokenAuthorizer(tokens: readonly string[]): (req: IncomingMessage) => boolean {
  const check = createBearerCheck(tokens);
  return (req) => check(bearerTokenOf(req)) === 'ok';
}
