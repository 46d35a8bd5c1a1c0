/**
 * One catalog entry per error code. `status` is the HTTP status the API answers with; a code that sets it
 * is part of the API contract (its code, message and context go to the client). Without it the status is
 * 500 and the client sees only E_API_INTERNAL: the log gets the details.
 */
export interface ErrorSpec {
  readonly status?: number;
}

export type ErrorCatalog = Readonly<Record<string, ErrorSpec>>;
