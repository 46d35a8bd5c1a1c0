export { WhipHub, whipSourceOptions } from './whip-hub.js';
export {
  createWhipCameraSource,
  defaultWhipIce,
  type WhipCameraSource,
  type WhipEndpoint,
  type WhipPublishResult,
  type WhipSessionLike,
  type WhipSourceDeps,
  type WhipSourceOptions,
  type WhipSourceStats,
} from './whip-source.js';
export type { WhipIceOptions } from './whip-peer.js';
export type { WhipDecoder, WhipSessionOptions } from './whip-session.js';
export { buildWhipIngestArgs, type WhipIngestArgsOptions } from './whip-ingest-args.js';
export { checkWhipOffer, type OfferSummary } from './sdp-offer.js';
export type { VideoCodec } from './ivf.js';
