export {
  canonicalizeJson,
  canonicalizeJsonText,
  canonicalJsonBytes,
  type JsonValue,
} from './jcs.js';
