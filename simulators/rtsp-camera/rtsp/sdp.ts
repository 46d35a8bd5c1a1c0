export interface SdpInput {
  readonly sessionId: string;
  readonly host: string;
  readonly cameraName: string;
  readonly sps: Buffer;
  readonly pps: Buffer;
  readonly payloadType: number;
  readonly trackControl: string;
  /** Frames per second, for a=framerate (informational). */
  readonly fps: number;
}

/** The session description DESCRIBE returns: one H.264 video track, RFC 6184 packetization-mode=1. */
export function buildSdp(input: SdpInput): string {
  const profileLevelId = input.sps.subarray(1, 4).toString('hex').toUpperCase();
  const parameterSets = `${input.sps.toString('base64')},${input.pps.toString('base64')}`;
  const pt = input.payloadType;
  const lines = [
    'v=0',
    `o=- ${input.sessionId} 1 IN IP4 ${input.host}`,
    `s=${input.cameraName}`,
    'c=IN IP4 0.0.0.0',
    't=0 0',
    'a=tool:tsn-simulate',
    'a=control:*',
    'a=range:npt=0-',
    `m=video 0 RTP/AVP ${pt}`,
    `a=rtpmap:${pt} H264/90000`,
    `a=fmtp:${pt} packetization-mode=1;profile-level-id=${profileLevelId};sprop-parameter-sets=${parameterSets}`,
    `a=framerate:${Number(input.fps.toFixed(3))}`,
    `a=control:${input.trackControl}`,
  ];
  return lines.join('\r\n') + '\r\n';
}
