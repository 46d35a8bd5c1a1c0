// The API's one error shape: { error: { code, message, details } }, and the HTTP status of each code.
import type { FastifyReply } from 'fastify';
import type { z } from 'zod';
import { isTsnError, TsnError, type ErrorCode } from '../errors/index.js';

export interface ApiErrorBody {
  readonly error: { readonly code: string; readonly message: string; readonly details?: unknown };
}

const statusByCode: Partial<Record<ErrorCode, number>> = {
  E_API_VALIDATION: 400,
  E_API_BAD_REQUEST: 400,
  E_API_UNAUTHORIZED: 401,
  E_API_FORBIDDEN: 403,
  E_API_NOT_FOUND: 404,
  E_API_CONFLICT: 409,
  E_SERVICE_STARTING: 503,
};

/** Option errors raised by the sources or the pipeline while applying a camera are the client's input. */
const inputErrorPrefixes = ['E_SOURCE_', 'E_PIPELINE_CONFIG', 'E_CONFIG'];

export function statusOf(error: TsnError): number {
  const known = statusByCode[error.code];
  if (known !== undefined) return known;
  return inputErrorPrefixes.some((p) => error.code.startsWith(p)) ? 400 : 500;
}

export function sendError(
  reply: FastifyReply,
  status: number,
  code: string,
  message: string,
  details?: unknown,
) {
  const body: ApiErrorBody = {
    error: details === undefined ? { code, message } : { code, message, details },
  };
  return reply.code(status).type('application/json').send(body);
}

export function sendTsnError(reply: FastifyReply, error: unknown) {
  const status = isTsnError(error) ? statusOf(error) : 500;
  if (isTsnError(error) && status !== 500)
    return sendError(reply, status, error.code, error.message, error.context);
  // The client gets no internals; the log gets everything.
  reply.log.error({ err: error }, 'request failed');
  return sendError(reply, 500, 'E_API_INTERNAL', 'internal error; see the service log');
}

/** Zod issues as a compact, client-friendly list. */
export function validationError(what: string, error: z.ZodError): TsnError {
  const details = error.issues.map((i) => ({
    path: i.path.map(String).join('.'),
    message: i.code === 'unrecognized_keys' ? `unknown key(s): ${i.keys.join(', ')}` : i.message,
  }));
  const summary = details.map((d) => (d.path === '' ? d.message : `${d.path}: ${d.message}`)).join('; ');
  return new TsnError('E_API_VALIDATION', `invalid ${what}: ${summary}`, { context: { issues: details } });
}
