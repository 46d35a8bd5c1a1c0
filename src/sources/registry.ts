// Where a camera URL may go, decided in one table keyed by URL scheme (as go2rtc registers its sources).
// Each entry validates its URLs, names the ffmpeg protocols its input may use (-protocol_whitelist) and
// the faults that no retry can heal, and says which driver creates the source. A URL no entry claims is
// refused with E_SOURCE_URL before any process starts: ffmpeg opens far more than cameras (concat:,
// unix:, tcp://?listen=1, udp://, data:, pipe:, subfile:, ...).
import { realpathSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CameraFaultKind } from '../domain/index.js';
import { TsnError } from '../errors/index.js';
import { redactUrl } from './redact.js';

/** How ffmpeg is told to open an input: rtsp demuxer options, a plain file, or any other URL (http, HLS). */
export type SourceKind = 'rtsp' | 'file' | 'url';

export interface SourcePolicy {
  /**
   * Directories file cameras (and sim://NAME?file=) must lie in, after symlinks are resolved. Undefined:
   * anywhere (library use); the service always passes config `sources.fileRoots`.
   */
  readonly fileRoots?: readonly string[];
}

/** An ffmpeg-ingested input, ready for buildIngestArgs. */
export interface FfmpegTarget {
  readonly driver: 'ffmpeg';
  readonly scheme: string;
  readonly kind: SourceKind;
  /** What ffmpeg opens: the URL, or for files the real path (symlinks resolved when it was checked). */
  readonly input: string;
  readonly protocolWhitelist: string;
  /** Faults no retry heals: the camera ends `failed` instead of backing off. */
  readonly permanentFaults: ReadonlySet<CameraFaultKind>;
}

export type SourceTarget =
  | FfmpegTarget
  /** Fed by WHIP publishers (POST /v1/whip/<id>). */
  | { readonly driver: 'whip'; readonly scheme: 'whip' }
  /** An embedded RTSP simulator; `file` already checked against the roots (real path). */
  | {
      readonly driver: 'sim';
      readonly scheme: 'sim';
      readonly name: string;
      readonly file?: string;
      readonly pattern?: string;
    };

interface SchemeEntry {
  readonly schemes: readonly string[];
  resolve(url: string, scheme: string, policy: SourcePolicy, field: string): SourceTarget;
}

// Never healed by waiting: the same input gives the same answer.
const networkPermanent: ReadonlySet<CameraFaultKind> = new Set(['unsupported']);
// A file's answer is deterministic: missing, not a video or undecodable stays so.
const filePermanent: ReadonlySet<CameraFaultKind> = new Set([
  'unsupported',
  'not-found',
  'not-video',
  'codec',
]);

const rtspWhitelist = 'rtsp,rtp,udp,tcp';
const rtspsWhitelist = 'rtsp,rtsps,rtp,udp,tcp,tls';
// HLS playlists name their own segments: without a whitelist one could point ffmpeg at file: or data:.
const httpWhitelist = 'http,https,tcp,tls,crypto';
const fileWhitelist = 'file';

/** The table. Add a source kind here; nothing else decides where a URL goes. */
export const sourceSchemes: readonly SchemeEntry[] = [
  {
    schemes: ['rtsp', 'rtsps'],
    resolve: (url, scheme, _policy, field) => {
      checkAuthority(url, field);
      return ffmpegTarget(scheme, 'rtsp', url, scheme === 'rtsps' ? rtspsWhitelist : rtspWhitelist);
    },
  },
  {
    schemes: ['http', 'https'],
    resolve: (url, scheme, _policy, field) => {
      checkAuthority(url, field);
      return ffmpegTarget(scheme, 'url', url, httpWhitelist);
    },
  },
  {
    // '' = a plain path (absolute or relative to the working directory).
    schemes: ['file', ''],
    resolve: (url, scheme, policy, field) => {
      const path = scheme === 'file' ? fileUrlPath(url, field) : url;
      return {
        ...ffmpegTarget('file', 'file', checkFile(path, policy, field), fileWhitelist),
        permanentFaults: filePermanent,
      };
    },
  },
  {
    schemes: ['sim'],
    resolve: (url, _scheme, policy, field) => resolveSim(url, policy, field),
  },
  {
    // Anything after the scheme is ignored: the camera id names the WHIP endpoint.
    schemes: ['whip'],
    resolve: () => ({ driver: 'whip', scheme: 'whip' }),
  },
];

export const supportedSchemes: readonly string[] = sourceSchemes
  .flatMap((e) => e.schemes)
  .filter((s) => s !== '');

/**
 * Which source a camera URL makes, or a TsnError E_SOURCE_URL naming the problem (never the credentials).
 * `field` names the config key in messages ('url', 'substreamUrl').
 */
export function resolveSourceUrl(url: string, policy: SourcePolicy = {}, field = 'url'): SourceTarget {
  if (url.trim() === '' || url !== url.trim() || hasControlCharacter(url))
    throw urlError(field, url, 'is empty or holds whitespace/control characters');
  const scheme = schemeOf(url);
  const entry = sourceSchemes.find((e) => e.schemes.includes(scheme));
  if (entry === undefined) {
    throw urlError(
      field,
      url,
      `scheme "${scheme}:" is not a camera source; use ${supportedSchemes.map((s) => `${s}://`).join(', ')} or a file path`,
    );
  }
  return entry.resolve(url, scheme, policy, field);
}

function hasControlCharacter(text: string): boolean {
  return [...text].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);
}

/** A URL's lower-case scheme; '' for a plain path ("/a.mp4", "./a:b.mp4", "clips/a.mp4"). */
export function schemeOf(url: string): string {
  if (url.startsWith('/') || url.startsWith('.')) return '';
  return /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase() ?? '';
}

/** The ingest target of a camera: its substream when it has one (validated like the main URL). */
export function resolveIngestTarget(
  url: string,
  substreamUrl: string | undefined,
  policy: SourcePolicy = {},
): FfmpegTarget {
  const main = resolveFfmpegUrl(url, policy, 'url');
  return substreamUrl === undefined ? main : resolveFfmpegUrl(substreamUrl, policy, 'substreamUrl');
}

function resolveFfmpegUrl(url: string, policy: SourcePolicy, field: string): FfmpegTarget {
  const target = resolveSourceUrl(url, policy, field);
  if (target.driver === 'ffmpeg') return target;
  throw urlError(
    field,
    url,
    `is a ${target.scheme}:// source, not one ffmpeg reads; give rtsp://, http(s):// or a file`,
  );
}

function ffmpegTarget(
  scheme: string,
  kind: SourceKind,
  input: string,
  protocolWhitelist: string,
): FfmpegTarget {
  return { driver: 'ffmpeg', scheme, kind, input, protocolWhitelist, permanentFaults: networkPermanent };
}

/**
 * scheme://[userinfo@]host[:port][/...]: a host must be there. userinfo runs to the last '@' before the
 * path, so a password with an unencoded '#', '?' or '/' still leaves the host where a reader expects it.
 */
function checkAuthority(url: string, field: string): void {
  const rest = url.slice(url.indexOf(':') + 1);
  if (!rest.startsWith('//')) throw urlError(field, url, 'needs scheme://host/...');
  const afterSlashes = rest.slice(2);
  const at = afterSlashes.lastIndexOf('@');
  const hostPart = at >= 0 ? afterSlashes.slice(at + 1) : afterSlashes;
  const authority = /^[^/?#]*/.exec(hostPart)?.[0] ?? '';
  const host = /^(\[[0-9a-f:.]+\]|[a-z0-9._~%-]+)(:\d{1,5})?$/i.exec(authority);
  if (host === null) throw urlError(field, url, 'has no valid host[:port]');
}

function fileUrlPath(url: string, field: string): string {
  try {
    return fileURLToPath(url);
  } catch {
    throw urlError(field, url, 'is not a local file:///absolute/path URL');
  }
}

/**
 * The real path of a file camera, or E_SOURCE_URL. The roots are checked before existence, so a caller
 * cannot probe which files exist outside them; a symlink counts where it points.
 */
export function checkFile(path: string, policy: SourcePolicy, field: string): string {
  const absolute = resolve(path);
  const real = realpathOfMaybeMissing(absolute);
  const roots = policy.fileRoots;
  if (roots !== undefined && !roots.some((root) => isInside(real, realRoot(root)))) {
    throw urlError(
      field,
      path,
      `is outside the directories file cameras may read (config sources.fileRoots: ${roots.join(', ')})`,
    );
  }
  let isFile = false;
  try {
    isFile = statSync(real).isFile();
  } catch {
    throw urlError(
      field,
      path,
      'names no file; check the path (relative paths start at the working directory)',
    );
  }
  if (!isFile)
    throw urlError(field, path, 'is not a regular file (directories, devices and FIFOs are refused)');
  return real;
}

function realpathOfMaybeMissing(absolute: string): string {
  try {
    return realpathSync(absolute);
  } catch {
    const parent = dirname(absolute);
    if (parent === absolute) return absolute;
    return join(realpathOfMaybeMissing(parent), basename(absolute));
  }
}

function realRoot(root: string): string {
  return realpathOfMaybeMissing(resolve(root));
}

function isInside(path: string, root: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/**
 * sim://NAME[?file=PATH | ?pattern=NAME | ?actions=SEED]; the pattern's name and the seed are checked by
 * the simulated camera itself (src/service/simulated-camera.ts).
 */
function resolveSim(url: string, policy: SourcePolicy, field: string): SourceTarget {
  const match = /^sim:\/\/([A-Za-z0-9_-]+)\/?(?:\?(.*))?$/i.exec(url);
  if (match === null)
    throw urlError(
      field,
      url,
      'expected sim://NAME, sim://NAME?file=PATH, sim://NAME?pattern=P or sim://NAME?actions=SEED',
    );
  const params = new URLSearchParams(match[2] ?? '');
  for (const key of params.keys()) {
    if (key !== 'file' && key !== 'pattern' && key !== 'actions')
      throw urlError(field, url, `unknown parameter "${key}" (file, pattern, actions)`);
  }
  const file = params.get('file');
  const pattern = params.get('pattern');
  return {
    driver: 'sim',
    scheme: 'sim',
    name: match[1] as string,
    ...(file === null ? {} : { file: checkFile(file, policy, field) }),
    ...(pattern === null ? {} : { pattern }),
  };
}

function urlError(field: string, url: string, why: string): TsnError {
  // Everything up to the last '@' may be credentials (a password with an unencoded '#', '?' or '/').
  const shown = redactUrl(url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^]*@/i, '$1***@'));
  return new TsnError('E_SOURCE_URL', `camera ${field} ${JSON.stringify(shown)} ${why}`, {
    context: { field, url: shown },
  });
}
