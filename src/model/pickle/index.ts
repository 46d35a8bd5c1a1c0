export { readPickle, assertPickleStart, defaultPickleLimits, type PickleLimits } from './unpickler.js';
export {
  DType,
  NdArray,
  PyDict,
  PyList,
  PyTuple,
  PyGlobal,
  describe,
  type PickleValue,
  type DictKey,
} from './values.js';
