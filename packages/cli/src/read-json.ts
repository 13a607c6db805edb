import { readFileSync } from 'node:fs';
import { inputError } from './usage-error.js';

/** Reads and parses a JSON file; a missing or malformed file is an input error (exit 2). */
export function readJsonFile(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw inputError(`cannot read the ${what} ${path}`, cause);
  }
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw inputError(`the ${what} ${path} is not JSON`, cause);
  }
}
