// The dashboard's live view (GET /v1/live/:camera, docs/live-view.md). Sent to the viewer in a
// {"op":"unavailable","code":...} message before the WebSocket closes with 4404; never an HTTP answer.
import type { ErrorCatalog } from './catalog.js';

export const liveErrors = {
  /**
   * This camera's source has no stream a live encoder can open: whip:// cameras get their frames over
   * WebRTC straight into the recognition pipeline. Watch the publisher's own preview instead.
   */
  E_LIVE_UNAVAILABLE: {},
} as const satisfies ErrorCatalog;
