// WHIP (RFC 9725): POST /v1/whip/:camera with an SDP offer -> 201 + answer + Location of the session;
// DELETE on the Location ends it; PATCH (trickle ICE / ICE restart) is not supported: 405. The answer
// carries every ICE candidate (gathering completes before it is sent), so publishers need no trickle.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isTsnError, type ErrorCode } from '../errors/index.js';
import { createTokenCheck } from './auth.js';
import { sendError } from './errors.js';
import { publishPageHtml } from './publish-page.js';
import type { ApiAuth } from './types.js';

/** The WHIP side of the service (implemented by sources/webrtc's WhipHub). */
export interface WhipIngest {
  publish(
    cameraId: string,
    offerSdp: string,
    options: { readonly replace: boolean },
  ): Promise<{ readonly sessionId: string; readonly answerSdp: string }>;
  end(cameraId: string, sessionId: string): Promise<boolean>;
}

export interface WhipRouteDeps {
  readonly whip: WhipIngest;
  readonly auth: ApiAuth;
}

const statusByCode: Partial<Record<ErrorCode, number>> = {
  E_WHIP_SDP: 400,
  E_WHIP_NOT_FOUND: 404,
  E_WHIP_BUSY: 409,
  E_WHIP_NEGOTIATION: 500,
  E_SERVICE_STARTING: 503,
};

const cameraIdPattern = /^[A-Za-z0-9_-]{1,64}$/;

export function registerWhipRoutes(app: FastifyInstance, deps: WhipRouteDeps): void {
  app.addContentTypeParser(
    ['application/sdp', 'application/trickle-ice-sdpfrag'],
    { parseAs: 'string' },
    (_request, body, done) => done(null, body),
  );
  const authorized = authorizer(deps.auth);

  app.get('/v1/whip/publish.html', async (_request, reply) =>
    reply.type('text/html; charset=utf-8').send(publishPageHtml),
  );
  app.get('/publish', async (_request, reply) => reply.redirect('/v1/whip/publish.html'));

  app.options('/v1/whip/:camera', async (_request, reply) =>
    reply.code(204).header('allow', 'OPTIONS, POST').header('accept-post', 'application/sdp').send(),
  );

  app.post('/v1/whip/:camera', async (request, reply) => {
    if (!authorized(request, reply)) return reply;
    const camera = cameraParam(request);
    if (camera === undefined)
      return sendError(reply, 404, 'E_WHIP_NOT_FOUND', 'camera id: 1-64 characters from A-Z a-z 0-9 _ -');
    if (!isSdp(request)) {
      return sendError(
        reply,
        415,
        'E_WHIP_SDP',
        'a WHIP offer must be sent with Content-Type: application/sdp',
      );
    }
    const replace = ['1', 'true'].includes(String((request.query as Record<string, unknown>).replace ?? ''));
    try {
      const { sessionId, answerSdp } = await deps.whip.publish(camera, String(request.body ?? ''), {
        replace,
      });
      return reply
        .code(201)
        .header('location', `/v1/whip/${camera}/sessions/${sessionId}`)
        .header('etag', `"${sessionId}"`)
        .type('application/sdp')
        .send(answerSdp);
    } catch (error) {
      return sendWhipError(request, reply, error);
    }
  });

  app.delete('/v1/whip/:camera/sessions/:session', async (request, reply) => {
    if (!authorized(request, reply)) return reply;
    const camera = cameraParam(request);
    const { session } = request.params as { session: string };
    if (camera === undefined || !(await deps.whip.end(camera, session))) {
      return sendError(
        reply,
        404,
        'E_WHIP_NOT_FOUND',
        `no live WHIP session ${session} on camera ${String(camera)}`,
      );
    }
    return reply.code(200).send();
  });

  app.patch('/v1/whip/:camera/sessions/:session', async (request, reply) => {
    if (!authorized(request, reply)) return reply;
    // Trickle ICE and ICE restarts are not supported (RFC 9725 §4.3.1): the answer already holds every
    // candidate; a publisher that loses its connection POSTs a new offer instead.
    return reply.code(405).header('allow', 'DELETE').send();
  });
}

function cameraParam(request: FastifyRequest): string | undefined {
  const { camera } = request.params as { camera: string };
  return cameraIdPattern.test(camera) ? camera : undefined;
}

function isSdp(request: FastifyRequest): boolean {
  return (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() === 'application/sdp';
}

/**
 * Publishing video is a mutation: with a token configured, WHIP always needs it (also when the API
 * leaves mutations open), sent as WHIP clients do: Authorization: Bearer <token>.
 */
function authorizer(auth: ApiAuth): (request: FastifyRequest, reply: FastifyReply) => boolean {
  if (auth.token === undefined) return () => true;
  const check = createTokenCheck(auth.token);
  return (request, reply) => {
    const verdict = check(request.headers.authorization);
    if (verdict === 'ok') return true;
    if (verdict === 'missing') {
      reply.header('www-authenticate', 'Bearer realm="tsn-stream"');
      void sendError(reply, 401, 'E_API_UNAUTHORIZED', 'WHIP needs "Authorization: Bearer <token>"');
    } else {
      void sendError(reply, 403, 'E_API_FORBIDDEN', 'the bearer token is not valid');
    }
    return false;
  };
}

function sendWhipError(request: FastifyRequest, reply: FastifyReply, error: unknown) {
  if (isTsnError(error)) {
    const status = statusByCode[error.code] ?? 500;
    if (status >= 500) request.log.error({ err: error }, 'WHIP publish failed');
    return sendError(reply, status, error.code, error.message, error.context);
  }
  request.log.error({ err: error }, 'WHIP publish failed');
  return sendError(reply, 500, 'E_API_INTERNAL', 'internal error; see the service log');
}
