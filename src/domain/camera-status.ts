/** A camera's lifecycle as a value; every transition is published (API, NATS status subject). */
export type CameraStatus =
  | { readonly state: 'connecting'; readonly attempt: number; readonly sinceMs: number }
  | { readonly state: 'streaming'; readonly sinceMs: number; readonly width: number; readonly height: number }
  | {
      readonly state: 'backoff';
      readonly attempt: number;
      readonly retryInMs: number;
      readonly sinceMs: number;
      readonly error: CameraFault;
    }
  | { readonly state: 'failed'; readonly sinceMs: number; readonly error: CameraFault }
  | { readonly state: 'stopped'; readonly sinceMs: number };

export type CameraFaultKind =
  | 'auth'
  | 'not-found'
  /** The host name does not resolve. */
  | 'dns'
  | 'refused'
  | 'timeout'
  | 'stalled'
  /** The input opened but holds no video ffmpeg can read (a text file, an HTML page). */
  | 'not-video'
  /** ffmpeg refused a protocol (not on the source's whitelist, or not built in). */
  | 'unsupported'
  | 'codec'
  | 'protocol'
  | 'exited'
  | 'unknown';

export interface CameraFault {
  readonly kind: CameraFaultKind;
  readonly message: string;
}
