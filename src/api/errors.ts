// The API's one error shape, { error: { code, message, details } }, and the one error handler that turns a
// thrown TsnError into it with the status its catalog entry gives (src/errors). Routes just throw.
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import type { z } from 'zod';
import { httpStatusOf, isPublicCode, isTsnError, TsnError } from '../errors/index.js';

export interface ApiErrorBody {
  readonly error: { readonly code: string; readonly message: string; readonly details?: unknown };
}

/** Sends a TsnError with its catalog status (or `status`, when a route needs a finer one, e.g. 415). */
export function sendError(reply: FastifyReply, error: TsnError, status = httpStatusOf(error.code)) {
  const details = Object.keys(error.context).length === 0 ? undefined : error.context;
  const body: ApiErrorBody = {
    error:
      details === undefined
        ? { code: error.code, message: error.message }
        : { code: error.code, message: error.message, details },
  };
  return reply.code(status).type('application/json').send(body);
}

/** Installs the one error handler: TsnError -> its status and body; fastify's own 4xx -> E_API_BAD_REQUEST. */
export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: unknown, request, reply) => {
    if (isTsnError(error) && isPublicCode(error.code)) {
      if (httpStatusOf(error.code) >= 500) request.log.error({ err: error }, 'request failed');
      return sendError(reply, error);
    }
    const status = isTsnError(error) ? 500 : ((error as Partial<FastifyError>).statusCode ?? 500);
    if (status < 500) {
      const { message, code } = error as FastifyError;
      return sendError(
        reply,
        new TsnError('E_API_BAD_REQUEST', message, { context: { fastifyCode: code } }),
        status,
      );
    }
    // The client gets no internals; the log gets everything.
    request.log.error({ err: error }, 'request failed');
    return sendError(reply, new TsnError('E_API_INTERNAL', 'internal error; see the service log'));
  });
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
