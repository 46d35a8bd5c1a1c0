// WHIP ingest (RFC 9725): what a publisher can get wrong, and what the service could not do for it.
import type { ErrorCatalog } from './catalog.js';

export const webrtcErrors = {
  /** The offer is not SDP, has no video m-line, or offers no codec we decode (H.264 packetization-mode 1, VP8). */
  E_WHIP_SDP: { status: 400 },
  /** No WHIP camera with that id (add one with url whip://), or no such session on it. */
  E_WHIP_NOT_FOUND: { status: 404 },
  /** The camera already has a publisher; DELETE its session first or POST with ?replace=1. */
  E_WHIP_BUSY: { status: 409 },
  /** The peer connection could not be set up (ICE gathering, DTLS); details in the message. */
  E_WHIP_NEGOTIATION: { status: 500 },
  /** The WHIP publisher could not reach or publish to the service. */
  E_WHIP_PUBLISH: {},
} as const satisfies ErrorCatalog;
