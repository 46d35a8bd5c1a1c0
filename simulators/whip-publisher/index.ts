export {
  startWhipPublisher,
  type WhipPublisher,
  type WhipPublisherOptions,
  type WhipPublisherStats,
} from './publisher.js';
export { buildEncoderArgs, type EncoderArgsOptions, type PublisherCodec } from './encoder-args.js';
