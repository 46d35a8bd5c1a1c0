// Configuration, HTTP API, publishers.
export const serviceErrorCodes = ['E_CONFIG', 'E_USAGE'] as const;
