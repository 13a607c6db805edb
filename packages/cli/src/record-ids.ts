import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { StampBook } from './stamp-book.js';

/**
 * The record id a command line names: a stamped or existing file by its project-relative
 * path (as stamp adds it), any other text as a record id as the API added it (an audit
 * event, `Consent/c-1`).
 */
export function recordIdFor(book: StampBook, given: string, cwd: string): string {
  const asPath = book.relative(resolve(cwd, given));
  return book.all().some((l) => l.path === asPath) || existsSync(resolve(cwd, given))
    ? asPath
    : given;
}
