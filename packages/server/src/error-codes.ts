import type { ErrorCatalogue, ErrorCodesOf } from '@medanchor/core';

/**
 * Error codes of `@medanchor/server`, thrown in-process and sent in error answers
 * (`{ "code", "message" }` with the HTTP status): what each means and what to do.
 */
export const SERVER_ERROR_CODES = {
  SERVER_BAD_PATH: {
    meaning: 'The URL path is not a route of the server or a valid tile path.',
    action: 'See docs/transparency.md for the routes (C2SP tlog-tiles paths, /add, /receipt).',
  },
  SERVER_BAD_REQUEST: {
    meaning: 'The request body is JSON but not the expected shape.',
    action: 'Send each record as `{"digest": "<64 hex>", ...}`; the message names the field.',
  },
  SERVER_BAD_JSON: {
    meaning: 'The request body is not valid UTF-8 JSON.',
    action: 'Send a JSON body.',
  },
  SERVER_BAD_BUNDLE: {
    meaning: 'An entry bundle is not well formed (it ends inside a length or an entry).',
    action: 'Fetch the bundle again; report the server if it persists.',
  },
  SERVER_METHOD: {
    meaning: 'The route does not take this HTTP method.',
    action: 'Use GET for tiles, checkpoints and receipts, POST for /add.',
  },
  SERVER_MEDIA_TYPE: {
    meaning: 'The request body has another Content-Type than application/json.',
    action: 'Send Content-Type: application/json.',
  },
  SERVER_TOO_LARGE: {
    meaning: 'The request body is larger than the server accepts.',
    action: 'Send fewer records per request.',
  },
  SERVER_UNAUTHORIZED: {
    meaning: 'The route needs a writer token (or client certificate) the operator configured.',
    action: 'Send `Authorization: Bearer <token>` with a configured token.',
  },
  SERVER_RATE_LIMITED: {
    meaning: 'The writer is over its rate (details.retryAfter says when to retry).',
    action: 'Retry after the Retry-After seconds, or ask the operator for a higher rate.',
  },
  SERVER_NOT_FOUND: {
    meaning: 'No leaf has that index yet.',
    action: 'Ask for an index below the tree size.',
  },
  SERVER_NOT_SEALED: {
    meaning: 'The record is not sealed yet, or unknown.',
    action: 'Retry after the next seal.',
  },
  SERVER_NO_CHECKPOINT: {
    meaning: 'The log has no checkpoint yet: nothing is sealed.',
    action: 'Retry after the first seal.',
  },
  SERVER_OUTSIDE_TREE: {
    meaning: 'The entry bundle or tile is not in the tree at the current checkpoint size.',
    action: 'Read the checkpoint again and ask within its size.',
  },
  SERVER_CLOSED: {
    meaning: 'The server is stopping.',
    action: 'Retry against another instance, or after it restarts.',
  },
  WITNESS_STATE_CORRUPT: {
    meaning: "The witness's state file (the last checkpoint cosigned per log) is unreadable.",
    action: 'Restore it from a backup: a witness that lost its state could cosign a fork.',
  },
  WITNESS_STATE_IO: {
    meaning: "The witness's state directory or file cannot be created or written.",
    action: 'Check the path, permissions and free disk space.',
  },
  WITNESS_STATE_LOCKED: {
    meaning: "Another live process (or this one) has the witness's state directory open.",
    action: 'Stop the other witness first: two on one state could each cosign a different history.',
  },
  WITNESS_STATE_CLOSED: {
    meaning: 'The witness state was closed.',
    action: 'Open it again with openWitnessState.',
  },
  SERVER_INTERNAL: {
    meaning: 'The server failed to answer for a reason it does not disclose.',
    action: "Retry; if it persists, the operator finds the cause in the server's log.",
  },
} as const satisfies ErrorCatalogue;

/** A code of {@link SERVER_ERROR_CODES}. */
export type ServerErrorCode = keyof typeof SERVER_ERROR_CODES;

declare module '@medanchor/core' {
  interface MedanchorErrorCodes extends ErrorCodesOf<typeof SERVER_ERROR_CODES> {}
}
