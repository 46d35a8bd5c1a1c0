import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** The bearer token of an upgrade request: `Authorization: Bearer <t>` or, for browsers, `?token=<t>`. */
export function bearerTokenOf(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  const match = header === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (match?.[1] !== undefined) return match[1];
  const token = new URL(req.url ?? '/', 'http://localhost').searchParams.get('token');
  return token === null || token === '' ? undefined : token;
}

// Hashing first gives equal-length inputs, so the comparison time says nothing about the token.
const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/** An `authorize` hook accepting any of `tokens`; with no tokens configured every request is rejected. */
export function bearerTokenAuthorizer(tokens: readonly string[]): (req: IncomingMessage) => boolean {
  const expected = tokens.map(digest);
  return (req) => {
    const token = bearerTokenOf(req);
    if (token === undefined) return false;
    const actual = digest(token);
    return expected.some((e) => timingSafeEqual(e, actual));
  };
}
