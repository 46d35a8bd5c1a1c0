// WHIP ingest.
export const webrtcErrorCodes = ['E_WHIP_SDP'] as const;
