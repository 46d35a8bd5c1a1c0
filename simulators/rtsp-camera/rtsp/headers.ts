/** Camera name and track of a request URI: rtsp://host:port/<name>[/trackID=N] or /<name>[/trackID=N]. */
export interface RequestTarget {
  readonly cameraName: string | undefined;
  readonly track: string | undefined;
}

const trackSegment = /^(trackID=\d+|track\d+|stream=\d+)$/i;

export function parseRequestTarget(uri: string): RequestTarget {
  if (uri === '*') return { cameraName: undefined, track: undefined };
  let path: string;
  try {
    path = uri.startsWith('/') ? uri : new URL(uri).pathname;
  } catch {
    return { cameraName: undefined, track: undefined };
  }
  const segments = path
    .split('?')[0]!
    .split('/')
    .filter((s) => s.length > 0)
    .map((s) => safeDecode(s));
  const last = segments.at(-1);
  const track = last !== undefined && trackSegment.test(last) ? last : undefined;
  if (track !== undefined) segments.pop();
  return { cameraName: segments.length > 0 ? segments.join('/') : undefined, track };
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

export type TransportRequest =
  | { readonly kind: 'tcp'; readonly rtpChannel: number; readonly rtcpChannel: number }
  | { readonly kind: 'udp'; readonly rtpPort: number; readonly rtcpPort: number };

/**
 * Picks the first transport we support from a Transport header (clients may list several, comma separated):
 * RTP/AVP/TCP interleaved, or unicast RTP/AVP[/UDP] with client_port.
 */
export function parseTransport(header: string | undefined): TransportRequest | undefined {
  if (header === undefined) return undefined;
  for (const spec of header.split(',')) {
    const [protocol = '', ...params] = spec.trim().split(';');
    const values = new Map(
      params.map((p) => {
        const eq = p.indexOf('=');
        return eq < 0
          ? [p.trim().toLowerCase(), '']
          : [p.slice(0, eq).trim().toLowerCase(), p.slice(eq + 1).trim()];
      }),
    );
    if (values.has('multicast')) continue;
    const upper = protocol.toUpperCase();
    if (upper === 'RTP/AVP/TCP') {
      const [rtp, rtcp] = portPair(values.get('interleaved'), 0, 255) ?? [0, 1];
      return { kind: 'tcp', rtpChannel: rtp, rtcpChannel: rtcp };
    }
    if (upper === 'RTP/AVP' || upper === 'RTP/AVP/UDP') {
      const ports = portPair(values.get('client_port'), 1, 65_535);
      if (ports !== undefined) return { kind: 'udp', rtpPort: ports[0], rtcpPort: ports[1] };
    }
  }
  return undefined;
}

function portPair(value: string | undefined, min: number, max: number): [number, number] | undefined {
  if (value === undefined) return undefined;
  const [a, b] = value.split('-').map((x) => Number(x));
  if (a === undefined || !Number.isInteger(a) || a < min || a > max) return undefined;
  const second = b !== undefined && Number.isInteger(b) && b >= min && b <= max ? b : Math.min(a + 1, max);
  return [a, second];
}

/** The Session header's id, without ";timeout=". */
export function sessionIdOf(header: string | undefined): string | undefined {
  return header?.split(';')[0]?.trim() || undefined;
}
