import { MedanchorError } from '@medanchor/core';
import { checkTextDepth } from './jcs.js';

/**
 * `JSON.parse` that also refuses duplicate member names (I-JSON, RFC 7493), which
 * parsers resolve differently: a signed document must mean one thing to every reader.
 * @throws `MedanchorError` `INVALID_JSON` on bad syntax or a duplicate name, `JSON_TOO_DEEP`
 *   past `MAX_JSON_DEPTH` levels of nesting.
 * @example
 * ```ts
 * parseJsonStrict('{"a":1,"a":2}'); // throws INVALID_JSON
 * ```
 */
export function parseJsonStrict(text: string): unknown {
  if (typeof text !== 'string') {
    throw new MedanchorError('INVALID_JSON', 'JSON text must be a string');
  }
  checkTextDepth(text);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new MedanchorError('INVALID_JSON', 'the text is not valid JSON; check its syntax', {
      cause,
    });
  }
  const dup = firstDuplicateName(text);
  if (dup !== undefined) {
    throw new MedanchorError(
      'INVALID_JSON',
      'the JSON has an object with a duplicate member name; send each member once',
      {
        details: { offset: dup },
      },
    );
  }
  return value;
}

/** Offset of the first repeated member name in already-valid JSON text, or undefined. */
function firstDuplicateName(text: string): number | undefined {
  // One entry per open container: a Set of names for objects, null for arrays.
  const stack: (Set<string> | null)[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '{') stack.push(new Set());
    else if (c === '[') stack.push(null);
    else if (c === '}' || c === ']') stack.pop();
    else if (c === '"') {
      const start = i;
      for (i++; text[i] !== '"'; i++) if (text[i] === '\\') i++;
      const names = stack[stack.length - 1];
      if (names) {
        let j = i + 1;
        while (text[j] === ' ' || text[j] === '\t' || text[j] === '\n' || text[j] === '\r') j++;
        if (text[j] === ':') {
          // Decode escapes so "a" and "\u0061" count as the same name.
          const name = JSON.parse(text.slice(start, i + 1)) as string;
          if (names.has(name)) return start;
          names.add(name);
        }
      }
    }
  }
  return undefined;
}
