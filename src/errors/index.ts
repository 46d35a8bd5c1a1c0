export { TsnError, isTsnError, type TsnErrorOptions } from './tsn-error.js';
export { errorCatalog, errorCodes, httpStatusOf, isPublicCode, type ErrorCode } from './codes.js';
export type { ErrorCatalog, ErrorSpec } from './catalog.js';
