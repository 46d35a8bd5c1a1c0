/** WebSocket close codes the hub uses; documented in docs/asyncapi.yaml. */
export const WS_CLOSE = {
  /** The service is shutting down. */
  goingAway: 1001,
  /** The client did not read fast enough: its send buffer passed maxBufferedBytes. */
  slowConsumer: 4008,
  /** The client sent commands faster than the hub's command rate (same policy code, reason "too many commands"). */
  tooManyCommands: 4008,
  /** The query string or a subscribe message held an invalid filter, or a message was not understood. */
  invalidRequest: 4400,
} as const;

/** Control messages the hub sends; they carry `op`, data messages carry `type`. */
export type HubControlMessage =
  | {
      readonly op: 'subscribed';
      readonly filter: {
        readonly cameras: readonly string[];
        readonly labels: readonly string[];
        readonly types: readonly string[];
        readonly minScore: number;
      };
    }
  | { readonly op: 'error'; readonly error: 'invalid-request'; readonly message: string }
  | { readonly op: 'pong' };
