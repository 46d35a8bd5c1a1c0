// Camera URLs carry credentials (rtsp://admin:pw@cam/...) and some cameras take them as query parameters
// (?user=admin&password=pw). Nothing derived from a URL reaches a log, a metric, a status or an error
// without going through these functions.

const mask = '***';
const secretParam =
  /^(pass(word)?|pwd|passwd|user(name)?|login|token|access_token|auth|key|apikey|api_key|secret|sig(nature)?)$/i;

/** The URL with its userinfo and secret-looking query values replaced by ***. Never throws. */
export function redactUrl(url: string): string {
  const withoutUserinfo = url.replace(
    /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*@)/i,
    (_m, scheme: string) => `${scheme}${mask}@`,
  );
  return withoutUserinfo.replace(/([?&;])([^=&;#]+)=([^&;#]*)/g, (m, sep: string, name: string) =>
    secretParam.test(decodeSafely(name)) ? `${sep}${name}=${mask}` : m,
  );
}

/**
 * Free text (ffmpeg's stderr, error messages) with every URL's userinfo masked, and the literal
 * credentials of `knownUrls` masked wherever they appear (ffmpeg sometimes prints them decoded).
 */
export function redactText(text: string, knownUrls: readonly string[] = []): string {
  let out = text.replace(
    /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@]*@/gi,
    (_m, scheme: string) => `${scheme}${mask}@`,
  );
  out = out.replace(/\b[a-z][a-z0-9+.-]*:\/\/[^\s'"]+/gi, (m) => redactUrl(m));
  for (const secret of knownUrls.flatMap(secretsOf)) out = out.split(secret).join(mask);
  return out;
}

/** Credentials found in a URL, raw and percent-decoded, longest first; short ones are skipped to keep text legible. */
export function secretsOf(url: string): string[] {
  const found = new Set<string>();
  const userinfo = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)@/i.exec(url)?.[1];
  if (userinfo !== undefined) {
    for (const part of userinfo.split(':')) addSecret(found, part);
  }
  for (const match of url.matchAll(/[?&;]([^=&;#]+)=([^&;#]*)/g)) {
    if (secretParam.test(decodeSafely(match[1] ?? ''))) addSecret(found, match[2] ?? '');
  }
  return [...found].sort((a, b) => b.length - a.length);
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
