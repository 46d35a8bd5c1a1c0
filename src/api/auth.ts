// Bearer-token check for mutations. Tokens are compared as SHA-256 digests with timingSafeEqual: equal
// lengths always, so the time taken says nothing about how much of a guess was right.
import { createHash, timingSafeEqual } from 'node:crypto';

export type AuthVerdict = 'ok' | 'missing' | 'wrong';

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

export function bearerFromHeader(header: string | undefined): string | undefined {
  const match = header === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

export function createTokenCheck(token: string): (authorization: string | undefined) => AuthVerdict {
  const expected = digest(token);
  return (authorization) => {
    const presented = bearerFromHeader(authorization);
    if (presented === undefined) return 'missing';
    return timingSafeEqual(expected, digest(presented)) ? 'ok' : 'wrong';
  };
}
