// WHIP ingest (RFC 9725): what a publisher can get wrong, and what the service could not do for it.
export const webrtcErrorCodes = [
  /** The offer is not SDP, has no video m-line, or offers no codec we decode (H.264 packetization-mode 1, VP8). */
  'E_WHIP_SDP',
  /** No WHIP camera with that id (add one with url whip://), or no such session on it. */
  'E_WHIP_NOT_FOUND',
  /** The camera already has a publisher; DELETE its session first or POST with ?replace=1. */
  'E_WHIP_BUSY',
  /** The peer connection could not be set up (ICE gathering, DTLS); details in the message. */
  'E_WHIP_NEGOTIATION',
  /** The WHIP publisher could not reach or publish to the service. */
  'E_WHIP_PUBLISH',
] as const;
