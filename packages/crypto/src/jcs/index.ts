export {
  canonicalizeJson,
  canonicalizeJsonText,
  canonicalJsonBytes,
  type JsonValue,
  MAX_JSON_DEPTH,
} from './jcs.js';
export { parseJsonStrict } from './strict-parse.js';
