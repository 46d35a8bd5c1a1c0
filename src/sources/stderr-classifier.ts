import type { CameraFault, CameraFaultKind } from '../domain/index.js';

interface Rule {
  readonly kind: CameraFaultKind;
  readonly pattern: RegExp;
}

// Ordered by how much a line explains an exit: a 401 explains everything after it; a decode error
// is common noise on a lossy stream and explains an exit only when nothing else does.
const rules: readonly Rule[] = [
  { kind: 'auth', pattern: /Unauthorized|authori[sz]ation failed|Forbidden/i },
  // Case-sensitive: the reason phrase is "Not Found"; "moov atom not found" is a broken file.
  { kind: 'not-found', pattern: /Not Found|No such file or directory|\b454 Session/ },
  {
    kind: 'unsupported',
    pattern: /Protocol not found|not on whitelist|Protocol not supported|No such protocol/i,
  },
  {
    kind: 'dns',
    pattern:
      /Failed to resolve hostname|Name or service not known|Temporary failure in name resolution|No address associated with hostname|nodename nor servname/i,
  },
  {
    kind: 'refused',
    pattern:
      /Connection refused|No route to host|Network is unreachable|Service Unavailable|5XX Server Error/i,
  },
  { kind: 'timeout', pattern: /timed out|timeout reached|Timeout waiting/i },
  { kind: 'not-video', pattern: /Invalid data found when processing input|moov atom not found/i },
  {
    kind: 'codec',
    pattern:
      /Decoder \(codec [^)]*\) not found|Unsupported codec|codec not currently supported|Error while decoding|Error while opening decoder|Could not find codec parameters|Failed to (?:create|initiali[sz]e).*(?:hw|cuda|vaapi|device)|No device available for decoder/i,
  },
  {
    kind: 'protocol',
    pattern:
      /Connection reset by peer|Broken pipe|End of file|method \w+ failed|Server returned|Input\/output error|Nonmatching transport|Unsupported transport|RTP: .*error/i,
  },
];

const severityRank: Readonly<Record<CameraFaultKind, number>> = {
  auth: 0,
  'not-found': 1,
  unsupported: 2,
  dns: 3,
  refused: 4,
  timeout: 5,
  'not-video': 6,
  protocol: 7,
  codec: 8,
  stalled: 9,
  exited: 10,
  unknown: 11,
};

/**
 * Explains why ffmpeg exited, from its last stderr lines (already redacted) and exit code.
 * The most specific fault any line shows wins; its message is that line without ffmpeg's prefixes.
 */
export function classifyExit(
  stderrLines: readonly string[],
  exitCode: number | null,
  signal: string | null = null,
  options: ClassifyOptions = {},
): CameraFault {
  const fault = classifyLines(stderrLines, exitCode, signal);
  // The rtsp demuxer says "Invalid data" about a server's bad answer, not about the video.
  if (fault.kind === 'not-video' && options.rtsp === true) return { ...fault, kind: 'protocol' };
  return fault;
}

export interface ClassifyOptions {
  /** The input is an RTSP camera (its "Invalid data" means a protocol error, not a non-video file). */
  readonly rtsp?: boolean;
}

function classifyLines(
  stderrLines: readonly string[],
  exitCode: number | null,
  signal: string | null,
): CameraFault {
  let best: { kind: CameraFaultKind; line: string } | undefined;
  for (const raw of stderrLines) {
    const line = stripPrefixes(raw);
    const rule = rules.find((r) => r.pattern.test(line));
    if (rule === undefined) continue;
    if (best === undefined || severityRank[rule.kind] < severityRank[best.kind])
      best = { kind: rule.kind, line };
  }
  if (best !== undefined) return { kind: best.kind, message: best.line };
  if (signal !== null) return { kind: 'exited', message: `ffmpeg was killed by ${signal}` };
  if (exitCode === 0) return { kind: 'exited', message: 'the stream ended' };
  const last = stderrLines.length > 0 ? stripPrefixes(stderrLines[stderrLines.length - 1] ?? '') : '';
  return { kind: 'unknown', message: last === '' ? `ffmpeg exited with code ${String(exitCode)}` : last };
}

/** Classifies one line; undefined when it says nothing about the camera's health. */
export function classifyLine(raw: string): CameraFaultKind | undefined {
  const line = stripPrefixes(raw);
  return rules.find((r) => r.pattern.test(line))?.kind;
}

/** "[rtsp @ 0x55d0] [error] method DESCRIBE failed" -> "method DESCRIBE failed". */
export function stripPrefixes(line: string): string {
  return line.replace(/^(\s*\[[^\]]*\]\s*)+/, '').trim();
}
