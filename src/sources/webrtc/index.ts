export { WhipHub, isWhipUrl, whipSourceOptions } from './whip-hub.js';
export {
  createWhipCameraSource,
  defaultWhipIce,
  type WhipCameraSource,
  type WhipEndpoint,
  type WhipPublishResult,
  type WhipSourceOptions,
  type WhipSourceStats,
} from './whip-source.js';
export type { WhipIceOptions } from './whip-peer.js';
export { buildWhipIngestArgs, type WhipIngestArgsOptions } from './whip-ingest-args.js';
export { checkWhipOffer, type OfferSummary } from './sdp-offer.js';
export type { VideoCodec } from './ivf.js';
