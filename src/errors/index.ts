export { TsnError, isTsnError, type TsnErrorOptions } from './tsn-error.js';
export { errorCodes, type ErrorCode } from './codes.js';
