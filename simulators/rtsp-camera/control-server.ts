import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { isTsnError } from '../../src/errors/index.js';
import { validateFaultSpec } from './fault-schema.js';
import type { RtspSimulator } from './types.js';
import { actionsBetween } from './actions/schedule.js';
import type { CameraSchedule } from './actions/schedule-clock.js';

export interface ControlServer {
  readonly port: number;
  close(): Promise<void>;
}

const maxBodyBytes = 64 * 1024;

/**
 * A tiny HTTP endpoint to change faults while the simulator runs:
 * POST /faults/:name (JSON FaultSpec, merged), DELETE /faults/:name (clear), GET /cameras, and
 * GET /cameras/:name/schedule for an action camera's ground truth.
 */
export async function startControlServer(
  simulator: RtspSimulator,
  host: string,
  port: number,
): Promise<ControlServer> {
  const server = createServer((req, res) => {
    void route(simulator, req, res).catch((error: unknown) => {
      const status = isTsnError(error) ? (error.code === 'E_SIM_CAMERA' ? 404 : 400) : 500;
      const body = isTsnError(error) ? error.toJSON() : { message: String(error) };
      reply(res, status, body);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address !== null ? address.port : port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function route(simulator: RtspSimulator, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://control').pathname;
  if (req.method === 'GET' && path === '/cameras') {
    reply(
      res,
      200,
      simulator.cameraNames().map((name) => ({ name, url: simulator.url(name) })),
    );
    return;
  }
  const scheduled = /^\/cameras\/(.+)\/schedule$/.exec(path);
  if (req.method === 'GET' && scheduled !== null) {
    const name = decodeURIComponent(scheduled[1]!);
    const schedule = simulator.schedule(name);
    if (schedule === undefined)
      return reply(res, 404, { message: `camera ${name} plays no action schedule` });
    return reply(res, 200, withWallTimes(schedule, Date.now()));
  }
  const match = /^\/faults\/(.+)$/.exec(path);
  if (match === null)
    return reply(res, 404, {
      message: 'use POST or DELETE /faults/:name, GET /cameras or GET /cameras/:name/schedule',
    });
  const name = decodeURIComponent(match[1]!);
  if (req.method === 'DELETE') {
    simulator.clearFaults(name);
    return reply(res, 200, { camera: name, faults: {} });
  }
  if (req.method !== 'POST') return reply(res, 405, { message: 'POST or DELETE' });
  const body = await readBody(req);
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return reply(res, 400, { message: 'body must be a JSON FaultSpec' });
  }
  const fault = validateFaultSpec(json, `POST ${path}`);
  simulator.setFault(name, fault);
  reply(res, 200, { camera: name, applied: fault });
}

/** The schedule plus its actions in wall time from one loop ago to one loop ahead (once anchored). */
function withWallTimes(schedule: CameraSchedule, nowMs: number): CameraSchedule & { wall: unknown[] } {
  const { anchorWallMs, loopMs } = schedule;
  const wall =
    anchorWallMs === null ? [] : actionsBetween(schedule, anchorWallMs, nowMs - loopMs, nowMs + loopMs);
  return { ...schedule, wall };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.on('data', (chunk: Buffer) => {
      body += chunk.toString('utf8');
      if (body.length > maxBodyBytes) req.destroy(new Error('body too large'));
    });
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
