export { createLiveHub, LIVE_PATH_PREFIX, type LiveHub, type LiveHubOptions } from './live-hub.js';
export { liveViewArgs, type LiveArgsInput, type LiveMode } from './live-args.js';
export type { LiveSource } from './live-channel.js';
