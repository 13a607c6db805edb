export {
  canonicalizeJson,
  canonicalizeJsonText,
  canonicalJsonBytes,
  type JsonValue,
} from './jcs.js';
export { parseJsonStrict } from './strict-parse.js';
