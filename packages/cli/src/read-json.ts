import { readFileSync } from 'node:fs';
import { parseJsonStrict } from '@medanchor/crypto';
import { describePlace, parseJsonText } from './json-text.js';
import { inputError } from './usage-error.js';

/** Reads and parses a JSON file; a missing or malformed file is an input error (exit 2). */
export function readJsonFile(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw inputError(`cannot read the ${what} ${path}`, cause);
  }
  const json = parseJsonText(text);
  if (!json.ok)
    throw inputError(`the ${what} ${path} is not JSON (at ${describePlace(json.place)})`);
  return json.value;
}

/**
 * Reads a signed consent document strictly: a member name repeated in one object is
 * refused (consent.md), since JSON readers disagree on which copy wins.
 */
export function readConsentJson(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw inputError(`cannot read the ${what} ${path}`, cause);
  }
  try {
    return parseJsonStrict(text);
  } catch (cause) {
    throw inputError(
      `the ${what} ${path} is not JSON, or repeats a member name in one object (refused: readers would disagree on its meaning)`,
      cause,
    );
  }
}

// The receipt's own top-level fields (docs/spec/receipt.md): JSON with none of them is
// some other document, while a receipt missing a few is a damaged receipt.
const RECEIPT_FIELDS = [
  'version',
  'record',
  'leafIndex',
  'treeSize',
  'inclusionProof',
  'checkpoint',
];

/**
 * Reads a receipt file. JSON with none of a receipt's fields (a FHIR resource, a config
 * file) is an input error, exit status 2: the wrong file was given, nothing failed
 * verification. A damaged receipt is returned for verification to reject (exit 1).
 */
export function readReceiptFile(path: string): unknown {
  const value = readJsonFile(path, 'receipt');
  const o = value as Record<string, unknown> | null;
  const isObject = typeof o === 'object' && o !== null && !Array.isArray(o);
  if (!isObject || !RECEIPT_FIELDS.some((k) => k in o))
    throw inputError(
      `${path} is JSON but not a medanchor receipt (none of its fields: ${RECEIPT_FIELDS.join(', ')}): give the <file>.receipt.json written beside the file`,
    );
  return value;
}
