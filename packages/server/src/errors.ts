import { isMedanchorError, type MedanchorErrorCode } from '@medanchor/core';

/** HTTP status of each error code the server answers with; anything else is a 500. */
const STATUS: Partial<Record<MedanchorErrorCode, number>> = {
  SERVER_BAD_PATH: 400,
  SERVER_BAD_REQUEST: 400,
  SERVER_BAD_JSON: 400,
  INVALID_ARGUMENT: 400,
  INVALID_LENGTH: 400,
  INVALID_SIZE: 400,
  INVALID_TYPE: 400,
  INDEX_OUT_OF_RANGE: 404,
  SERVER_UNAUTHORIZED: 401,
  SERVER_NOT_FOUND: 404,
  SERVER_NO_CHECKPOINT: 404,
  SERVER_NOT_SEALED: 404,
  SERVER_OUTSIDE_TREE: 404,
  STORE_RANGE: 404,
  SERVER_METHOD: 405,
  RECORD_FORGOTTEN: 410,
  SERVER_TOO_LARGE: 413,
  SERVER_MEDIA_TYPE: 415,
  SERVER_RATE_LIMITED: 429,
  SERVER_CLOSED: 503,
  STORE_CLOSED: 503,
};

/** What an error becomes on the wire: status, stable code, a message with no secrets. */
export interface HttpError {
  readonly status: number;
  readonly code: MedanchorErrorCode;
  readonly message: string;
  readonly retryAfter?: number;
}

/** Maps a thrown value to its answer; unexpected errors say nothing about their cause. */
export function toHttpError(e: unknown): HttpError {
  const status = isMedanchorError(e) ? STATUS[e.code] : undefined;
  if (isMedanchorError(e) && status !== undefined) {
    const retry = e.details.retryAfter;
    return {
      status,
      code: e.code,
      message: e.message,
      ...(typeof retry === 'number' ? { retryAfter: retry } : {}),
    };
  }
  return {
    status: 500,
    code: 'SERVER_INTERNAL',
    message: 'the server failed to answer this request',
  };
}
