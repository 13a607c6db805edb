/**
 * @medanchor/fhir/node: Node-only parts of fhir (the official R4 definitions read from disk).
 *
 * @packageDocumentation
 */
export { loadR4Validator } from './node/load-definitions.js';
