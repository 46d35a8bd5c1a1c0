// Bearer-token checks of the HTTP API (mutations, WHIP): the project's one constant-time check
// (publish/websocket/auth.ts), answered with 401 (no token; with WWW-Authenticate) or 403 (wrong token).
import type { FastifyReply, FastifyRequest } from 'fastify';
import { TsnError } from '../errors/index.js';
import { bearerFromHeader, createBearerCheck, type AuthVerdict } from '../publish/websocket/auth.js';

export type { AuthVerdict };

export function createTokenCheck(token: string): (authorization: string | undefined) => AuthVerdict {
  const check = createBearerCheck([token]);
  return (authorization) => check(bearerFromHeader(authorization));
}

/**
 * Throws E_API_UNAUTHORIZED / E_API_FORBIDDEN (the error handler answers) unless the request carries the
 * token. `missingMessage` says what the client should send.
 */
export function requireBearer(token: string, missingMessage: string) {
  const check = createTokenCheck(token);
  return (request: FastifyRequest, reply: FastifyReply): void => {
    const verdict = check(request.headers.authorization);
    if (verdict === 'ok') return;
    if (verdict === 'missing') {
      reply.header('www-authenticate', 'Bearer realm="tsn-stream"');
      throw new TsnError('E_API_UNAUTHORIZED', missingMessage);
    }
    throw new TsnError('E_API_FORBIDDEN', 'the bearer token is not valid');
  };
}
