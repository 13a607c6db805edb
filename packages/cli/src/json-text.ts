// JSON parsing that says where the text went wrong, by line and column, without quoting
// the text itself (a receipt's salt or a record must never reach a message).

/** Where a JSON text stopped parsing. */
export interface JsonErrorPlace {
  /** 1-based line. */
  line: number;
  /** 1-based column, in UTF-16 code units as editors count them. */
  column: number;
  /** True when the text ended too early (an unclosed object, array or string). */
  atEnd: boolean;
}

/** Line and column of a character offset in `text`. */
export function placeOf(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(offset, text.length);
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: end - lineStart + 1 };
}

// Offset of the first character that cannot continue valid JSON. Node 20's V8 leaves
// the position out of some messages ("Unexpected token"), so we find it ourselves: a
// syntax-only walk (no values built) of the grammar of RFC 8259.
function firstBadOffset(text: string): number {
  let i = 0;
  const fail = (at = i): never => {
    throw at;
  };
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const literal = (word: string) => {
    for (const c of word) {
      if (text[i] !== c) fail();
      i++;
    }
  };
  const string = () => {
    i++; // the opening quote
    while (i < text.length && text[i] !== '"') {
      if (text.charCodeAt(i) < 0x20) fail();
      if (text[i] === '\\') {
        i++;
        if (text[i] === 'u') {
          for (let k = 1; k <= 4; k++) if (!/[0-9a-fA-F]/.test(text[i + k] ?? '')) fail(i + k);
          i += 4;
        } else if (!'"\\/bfnrt'.includes(text[i] ?? 'x')) fail();
      }
      i++;
    }
    if (i >= text.length) fail();
    i++;
  };
  const number = () => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
    if (m === null || m[0] === '-') fail();
    i += m![0].length;
  };
  const container = (close: '}' | ']') => {
    i++;
    ws();
    if (text[i] === close) {
      i++;
      return;
    }
    for (;;) {
      if (close === '}') {
        ws();
        if (text[i] !== '"') fail();
        string();
        ws();
        if (text[i] !== ':') fail();
        i++;
      }
      value();
      ws();
      if (text[i] === close) {
        i++;
        return;
      }
      if (text[i] !== ',') fail();
      i++;
    }
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{') container('}');
    else if (c === '[') container(']');
    else if (c === '"') string();
    else if (c === 't') literal('true');
    else if (c === 'f') literal('false');
    else if (c === 'n') literal('null');
    else if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) number();
    else fail();
  };
  try {
    value();
    ws();
    return i;
  } catch (at) {
    return typeof at === 'number' ? at : text.length;
  }
}

/** Where `JSON.parse` failed on `text`: line, column and whether the text ended too early. */
export function jsonErrorPlace(text: string): JsonErrorPlace {
  const offset = firstBadOffset(text);
  return { ...placeOf(text, offset), atEnd: offset >= text.length };
}

/** Parses JSON text; on failure returns the place instead of throwing. */
export function parseJsonText(
  text: string,
): { ok: true; value: unknown } | { ok: false; place: JsonErrorPlace } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false, place: jsonErrorPlace(text) };
  }
}

/** "line 3, column 7" or "line 9, column 1 (the text ends too early)", for messages. */
export function describePlace(place: JsonErrorPlace): string {
  return `line ${place.line}, column ${place.column}${place.atEnd ? ' (the text ends too early: something is not closed)' : ''}`;
}
