// The whole service configuration: one strict schema. Unknown keys are errors at every level, so a typo
// never silently falls back to a default.
import { z } from 'zod';
import { positiveTimerMs } from './limits.js';
import { cameraDefaultsSchema, cameraSchema } from './schema-camera.js';
import { clusterSchema } from './schema-cluster.js';

export const MODEL_NAMES = ['tsn_k400', 'tsn_k400_8', 'demo-actions'] as const;
export type ModelName = (typeof MODEL_NAMES)[number];

const port = () => z.number().int().min(0).max(65_535);

const serverSchema = z
  .strictObject({
    host: z
      .string()
      .min(1)
      .default('127.0.0.1')
      .describe(
        'Interface the HTTP server listens on. Loopback by default; any other address needs auth.token ' +
          '(or auth.allowAnonymous: true).',
      ),
    allowedHosts: z
      .array(z.string().min(1))
      .default([])
      .describe(
        'Host names (no port) requests may address besides loopback names and server.host; "*" = any.',
      ),
    port: port().default(8080).describe('HTTP port (0 = any free port; the log says which).'),
    auth: z
      .strictObject({
        token: z
          .string()
          .min(16, 'auth token: at least 16 characters')
          .optional()
          .describe('Bearer token. Absent: no authentication at all.'),
        protectMutations: z.boolean().default(true).describe('POST/PATCH/DELETE need the token.'),
        protectWebSocket: z.boolean().default(false).describe('The WebSocket upgrade needs the token.'),
        allowAnonymous: z
          .boolean()
          .default(false)
          .describe('Allow listening on a non-loopback address without a token (anyone can add cameras).'),
      })
      .prefault({}),
  })
  .prefault({});

const modelSchema = z
  .strictObject({
    dir: z
      .string()
      .min(1)
      .optional()
      .describe(
        'A model directory: tsn convert output, or an external clip model (docs/inference.md). Wins over name.',
      ),
    name: z
      .enum(MODEL_NAMES)
      .optional()
      .describe('A published PaddleVideo TSN checkpoint, downloaded once into cacheDir. Default tsn_k400_8.'),
    cacheDir: z
      .string()
      .min(1)
      .default('~/.cache/tsn-stream/models')
      .describe('Where downloaded checkpoints and converted models live (~ = home directory).'),
    download: z.boolean().default(true).describe('false: never download; a missing model is an error.'),
    urls: z
      .strictObject({ tsn_k400: z.url().optional(), tsn_k400_8: z.url().optional() })
      .prefault({})
      .describe('Override the download URL per model name (mirrors, air-gapped hosts).'),
  })
  .refine((m) => !(m.dir !== undefined && m.name !== undefined), {
    message: 'set model.dir or model.name, not both',
    path: ['dir'],
  })
  .prefault({});

const backendSchema = z
  .strictObject({
    name: z.enum(['onnx', 'tfjs']).default('onnx'),
    executionProviders: z
      .array(z.enum(['cpu', 'cuda', 'tensorrt']))
      .min(1)
      .default(['cpu'])
      .describe('onnx: tried in order, the first the host supports wins.'),
    threads: z.number().int().nonnegative().default(0).describe('Intra-op threads; 0 = all cores.'),
    workers: z
      .number()
      .int()
      .min(1)
      .max(64)
      .default(1)
      .describe(
        'Inference worker threads, each with its own session of `threads` threads; backbone calls run side by side on them (batching.maxInFlight of them at once).',
      ),
  })
  .prefault({});

const batchingSchema = z
  .strictObject({
    maxBatch: z.number().int().positive().max(256).default(8).describe('Segment frames per backbone call.'),
    maxWaitMs: z
      .number()
      .int()
      .nonnegative()
      .max(60_000, 'at most 60000 ms (a frame waiting longer for a batch is stale)')
      .default(50)
      .describe('Longest a frame waits for a fuller batch.'),
    maxQueue: z
      .number()
      .int()
      .positive()
      .default(64)
      .describe('Frames waiting for inference; beyond, drop oldest.'),
    maxInFlight: z.number().int().positive().default(1).describe('Backbone calls running at once.'),
  })
  .prefault({});

const natsSchema = z
  .strictObject({
    url: z
      .string()
      .min(1)
      .optional()
      .describe('nats://host:port (comma-separated for a cluster). Absent: NATS publishing is off.'),
    servers: z
      .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
      .optional()
      .describe('Alternative to url: a list of nats://host:port, or one comma-separated string.'),
    prefix: z
      .string()
      .regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/)
      .default('actions'),
    name: z.string().min(1).default('tsn-stream').describe('Client connection name.'),
    jetstream: z
      .strictObject({
        enabled: z.boolean().default(true),
        stream: z
          .string()
          .regex(/^[A-Za-z0-9_-]+$/)
          .default('ACTIONS'),
        maxAgeMs: z
          .number()
          .int()
          .nonnegative()
          .max(10 * 365 * 86_400_000, 'at most 10 years')
          .default(7 * 24 * 3_600_000)
          .describe('0 = unlimited.'),
        maxMsgs: z.number().int().min(-1).default(1_000_000).describe('Messages kept; -1 = unlimited.'),
        storage: z.enum(['file', 'memory']).default('file').describe('file survives a NATS restart.'),
        replicas: z.number().int().min(1).max(5).default(1),
        duplicateWindowMs: positiveTimerMs().default(120_000),
      })
      .prefault({}),
    user: z.string().optional(),
    pass: z.string().optional(),
    token: z.string().optional(),
    credentialsFile: z.string().min(1).optional().describe('A .creds file (JWT + nkey seed).'),
    nkeySeedFile: z.string().min(1).optional().describe('A file holding an nkey user seed (SU...).'),
    tls: z
      .strictObject({ caFile: z.string(), certFile: z.string(), keyFile: z.string() })
      .partial()
      .optional(),
    bufferWhileDisconnected: z
      .number()
      .int()
      .nonnegative()
      .default(10_000)
      .describe('Messages kept while NATS is unreachable (oldest dropped beyond).'),
  })
  .prefault({});

const websocketSchema = z
  .strictObject({
    enabled: z.boolean().default(true),
    path: z.string().startsWith('/').default('/v1/events'),
    maxBufferedBytes: z
      .number()
      .int()
      .positive()
      .default(1 << 20)
      .describe('A subscriber slower than this backlog loses its oldest messages.'),
    pingIntervalMs: positiveTimerMs().default(30_000),
    allowedOrigins: z
      .array(z.string().min(1))
      .default([])
      .describe(
        'Browser origins (https://host:port) allowed to open the WebSocket besides the same origin; "*" = any.',
      ),
  })
  .prefault({});

// WHIP ingest (docs/webrtc.md): what the service offers publishers as ICE candidates.
const webrtcSchema = z
  .strictObject({
    iceHostAddresses: z
      .array(z.string().min(1))
      .default(['127.0.0.1'])
      .describe(
        'Host candidates offered besides the interfaces (loopback is not one); add a public or NAT address.',
      ),
    icePortRange: z
      .tuple([port(), port()])
      .optional()
      .describe('UDP ports for ICE, [min, max] (firewalls, containers). Absent: any port.'),
  })
  .prefault({});

// Where cameras may read from (src/sources/README.md, "What a camera URL may reach").
const sourcesSchema = z
  .strictObject({
    fileRoots: z
      .array(z.string().min(1))
      .min(1)
      .default(['.'])
      .describe(
        'Directories file cameras (paths, file://, sim://NAME?file=) must lie in, symlinks resolved; relative to the working directory.',
      ),
    maxCameras: z
      .number()
      .int()
      .positive()
      .max(10_000)
      .default(64)
      .describe('Most cameras the service holds (config, state file and POST /v1/cameras together).'),
  })
  .prefault({});

// The dashboard's live view (docs/live-view.md).
const liveViewSchema = z
  .strictObject({
    mode: z
      .enum(['copy', 'transcode'])
      .default('copy')
      .describe(
        "copy: pass the camera's H.264 through (a camera in another codec is transcoded); transcode: always " +
          're-encode to H.264 360p (browsers that cannot play the camera profile; costs a decode and an encode per watched camera).',
      ),
  })
  .prefault({});

const apiSchema = z
  .strictObject({
    recentEvents: z
      .number()
      .int()
      .positive()
      .max(100_000)
      .default(1000)
      .describe('Size of /v1/events/recent.'),
  })
  .prefault({});

export const configSchema = z
  .strictObject({
    server: serverSchema,
    model: modelSchema,
    backend: backendSchema,
    batching: batchingSchema,
    defaults: cameraDefaultsSchema.prefault({}),
    cameras: z
      .array(cameraSchema)
      .default([])
      .refine((cams) => new Set(cams.map((c) => c.id)).size === cams.length, 'camera ids must be unique'),
    nats: natsSchema,
    websocket: websocketSchema,
    api: apiSchema,
    webrtc: webrtcSchema,
    liveView: liveViewSchema,
    sources: sourcesSchema,
    stateFile: z
      .string()
      .min(1)
      .optional()
      .describe('JSON file where cameras added/changed/removed at run time persist. Absent: not kept.'),
    cluster: clusterSchema,
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  })
  .refine((c) => !(c.nats.url !== undefined && c.nats.servers !== undefined), {
    message: 'set nats.url or nats.servers, not both',
    path: ['nats', 'servers'],
  })
  .refine((c) => c.backend.workers <= c.batching.maxInFlight, {
    message:
      'backend.workers is larger than batching.maxInFlight, so some workers would never get a call: set batching.maxInFlight to at least backend.workers',
    path: ['backend', 'workers'],
  })
  .describe('tsn-stream service configuration');

export type Config = z.output<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;
