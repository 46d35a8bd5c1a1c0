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
  'auth' | 'not-found' | 'refused' | 'timeout' | 'stalled' | 'codec' | 'protocol' | 'exited' | 'unknown';

export interface CameraFault {
  readonly kind: CameraFaultKind;
  readonly message: string;
}
