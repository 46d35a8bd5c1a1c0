// Camera URLs carry credentials (rtsp://admin:pw@cam/...) and some cameras take them as query parameters
// (?user=admin&password=pw, ?X-Amz-Signature=..., ?session=...). Nothing derived from a URL reaches a log, a
// metric, a status or an error without going through these functions.
//
// Two rules make this hold for any URL a camera can have, not only well-formed ones:
// - user-info runs to the LAST `@` of the URL: a password typed with an unencoded `#`, `?` or `/`
//   (rtsp://admin:Pa#Hash9xx@cam/live) would otherwise be read as a fragment, query or path and shown.
//   An `@` inside a path therefore also masks what precedes it: over-masking a display is harmless.
// - query values are masked unless their key is on a short allowlist of stream selectors; a name list of
//   secrets is always one vendor behind (session, X-Amz-Signature, client_secret, ...). The fragment is
//   never shown.

const mask = '***';

/** Query keys whose values select a stream and carry no secret; every other value is masked. */
const harmlessParams = new Set([
  'channel',
  'channels',
  'ch',
  'subtype',
  'stream',
  'streamtype',
  'profile',
  'camera',
  'cam',
  'video',
  'audio',
  'resolution',
  'res',
  'fps',
  'framerate',
  'width',
  'height',
  'codec',
  'transport',
  'rtsp_transport',
  'unicast',
  'multicast',
  'proto',
  'protocol',
  'format',
  'quality',
  'bitrate',
  'mode',
  'track',
  'trackid',
  'starttime',
  'endtime',
  'file',
  'pattern',
  'actions',
]);

const schemeRe = /^([a-z][a-z0-9+.-]*:\/\/)/i;

/** The URL with its userinfo, non-allowlisted query values and fragment replaced by ***. Never throws. */
export function redactUrl(url: string): string {
  const { prefix, userinfo, rest } = splitUserinfo(url);
  const head = userinfo === undefined ? prefix : `${prefix}${mask}@`;
  const hashAt = rest.indexOf('#');
  const beforeHash = hashAt < 0 ? rest : rest.slice(0, hashAt);
  const fragment = hashAt < 0 ? '' : `#${mask}`;
  const queryAt = beforeHash.indexOf('?');
  if (queryAt < 0) return `${head}${beforeHash}${fragment}`;
  const query = beforeHash
    .slice(queryAt + 1)
    .replace(/(^|[&;])([^=&;]*)=([^&;]*)/g, (m, sep: string, name: string) =>
      isHarmless(name) ? m : `${sep}${name}=${mask}`,
    );
  return `${head}${beforeHash.slice(0, queryAt + 1)}${query}${fragment}`;
}

/**
 * Free text (ffmpeg's stderr, error messages) with every URL redacted as by redactUrl, and the literal
 * credentials of `knownUrls` masked wherever they appear (ffmpeg sometimes prints them decoded).
 */
export function redactText(text: string, knownUrls: readonly string[] = []): string {
  let out = text;
  // Literal secrets first: a password with a space or quote would end the URL match below early.
  for (const secret of knownUrls.flatMap(secretsOf)) out = out.split(secret).join(mask);
  return out.replace(/\b[a-z][a-z0-9+.-]*:\/\/[^\s'"]+/gi, (m) => redactUrl(m));
}

/** Credentials found in a URL, raw and percent-decoded, longest first; short ones are skipped to keep text legible. */
export function secretsOf(url: string): string[] {
  const found = new Set<string>();
  const { userinfo, rest } = splitUserinfo(url);
  if (userinfo !== undefined) {
    addSecret(found, userinfo);
    const colon = userinfo.indexOf(':');
    if (colon >= 0) {
      addSecret(found, userinfo.slice(0, colon));
      addSecret(found, userinfo.slice(colon + 1));
    }
  }
  const hashAt = rest.indexOf('#');
  if (hashAt >= 0) addSecret(found, rest.slice(hashAt + 1));
  const beforeHash = hashAt < 0 ? rest : rest.slice(0, hashAt);
  const queryAt = beforeHash.indexOf('?');
  if (queryAt >= 0) {
    for (const match of beforeHash.slice(queryAt + 1).matchAll(/(?:^|[&;])([^=&;]*)=([^&;]*)/g)) {
      if (!isHarmless(match[1] ?? '')) addSecret(found, match[2] ?? '');
    }
  }
  return [...found].sort((a, b) => b.length - a.length);
}

function splitUserinfo(url: string): { prefix: string; userinfo: string | undefined; rest: string } {
  const scheme = schemeRe.exec(url)?.[1];
  if (scheme === undefined) return { prefix: '', userinfo: undefined, rest: url };
  const afterScheme = url.slice(scheme.length);
  const at = afterScheme.lastIndexOf('@');
  if (at < 0) return { prefix: scheme, userinfo: undefined, rest: afterScheme };
  return { prefix: scheme, userinfo: afterScheme.slice(0, at), rest: afterScheme.slice(at + 1) };
}

function isHarmless(name: string): boolean {
  return harmlessParams.has(decodeSafely(name).toLowerCase());
}

function addSecret(found: Set<string>, raw: string): void {
  for (const value of [raw, decodeSafely(raw)]) if (value.length >= 3) found.add(value);
}

function decodeSafely(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
