import type { IncomingMessage, ServerResponse } from 'node:http';
import type { StoreLedger } from '@medanchor/chain';
import {
  type CalendarAnchorEntry,
  type OtsTimestamp,
  receiptToOts,
  writeOtsTimestamp,
} from '@medanchor/chain';
import {
  COMMITMENT_TAG,
  computeCommitment,
  concatBytes,
  isMedanchorError,
  MedanchorError,
  newSalt,
  sha256,
  toHex,
  utf8,
} from '@medanchor/core';

/** Options of {@link calendarRoutes}. */
export interface CalendarRoutesOptions {
  /** The ledger that takes each submitted digest as a record. */
  readonly ledger: StoreLedger;
  /**
   * The URL clients reach this server at, named in every pending attestation (where they
   * come back to upgrade). A function when it is known only once the server listens.
   */
  readonly publicUrl: string | (() => string);
  /**
   * Digests accepted per second from all clients together (default 50, bursts of as many, at least 1):
   * the route takes no credentials, so this bounds what strangers can add to the ledger.
   * Over it: 429 `SERVER_RATE_LIMITED` with `Retry-After`, and nothing is written.
   */
  readonly ratePerSecond?: number;
}

/**
 * Answers one request if it is a calendar route (returns true), else leaves it (false).
 * Errors are thrown as `MedanchorError`s for the server to answer.
 */
export type CalendarHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
) => Promise<boolean>;

/** The idempotency key of a calendar submission: the commitment it made. */
export const CALENDAR_KEY_PREFIX = 'ots-calendar:';
const HEX64 = /^[0-9a-f]{64}$/;
// OpenTimestamps clients submit one hash; anything longer is not a digest.
const MAX_DIGEST_BODY = 64;

const fail = (code: 'SERVER_BAD_REQUEST' | 'SERVER_NOT_FOUND' | 'SERVER_NOT_SEALED', m: string) => {
  throw new MedanchorError(code, m);
};

function readDigest(req: IncomingMessage): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_DIGEST_BODY) {
        req.removeAllListeners('data');
        req.resume();
        reject(
          new MedanchorError(
            'SERVER_BAD_REQUEST',
            'POST /digest takes the 32-byte SHA-256 digest as the raw body',
          ),
        );
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(new Uint8Array(Buffer.concat(chunks))));
    req.on('error', reject);
  });
}

function sendTimestamp(res: ServerResponse, ts: OtsTimestamp): void {
  const body = writeOtsTimestamp(ts);
  res.writeHead(200, {
    'Content-Type': 'application/vnd.opentimestamps.v1',
    'Content-Length': String(body.length),
    'Cache-Control': 'no-store',
  });
  res.end(body);
}

/**
 * The OpenTimestamps calendar protocol on a medanchor log (docs/spec/ots-calendar.md):
 * `POST /digest` with a 32-byte digest adds it to the ledger as a record (a fresh salt,
 * idempotency key `ots-calendar:<commitment hex>`) and answers the timestamp from the
 * digest to its commitment with a pending attestation naming `publicUrl`;
 * `GET /timestamp/<commitment hex>` answers, once the record's checkpoint is anchored and
 * confirmed, the timestamp from the commitment through the log and the anchor
 * transaction to a Bitcoin attestation, and 404 before. Standard OpenTimestamps clients
 * can stamp against the log this way.
 */
export function calendarRoutes(options: CalendarRoutesOptions): CalendarHandler {
  const { ledger } = options;
  const url = () =>
    (typeof options.publicUrl === 'function' ? options.publicUrl() : options.publicUrl).replace(
      /\/+$/,
      '',
    );
  const tag = sha256(utf8(COMMITMENT_TAG));
  const tagPrefix = concatBytes(tag, tag);

  const rate = options.ratePerSecond ?? 50;
  if (!(rate > 0)) throw new MedanchorError('INVALID_ARGUMENT', 'ratePerSecond must be > 0');
  const burst = Math.max(1, rate);
  const bucket = { level: burst, at: Date.now() };
  const admit = () => {
    const now = Date.now();
    bucket.level = Math.min(burst, bucket.level + ((now - bucket.at) / 1000) * rate);
    bucket.at = now;
    if (bucket.level < 1)
      throw new MedanchorError(
        'SERVER_RATE_LIMITED',
        `the calendar takes at most ${rate} digests per second: retry later`,
        { details: { retryAfter: Math.max(1, Math.ceil((1 - bucket.level) / rate)) } },
      );
    bucket.level -= 1;
  };

  const digest = async (req: IncomingMessage, res: ServerResponse) => {
    const d = await readDigest(req);
    if (d.length === 32) admit();
    if (d.length !== 32)
      fail('SERVER_BAD_REQUEST', 'POST /digest takes the 32-byte SHA-256 digest as the raw body');
    const salt = newSalt();
    const commitment = computeCommitment(salt, d);
    await ledger.store.addPending([
      { salt, digest: d, key: `${CALENDAR_KEY_PREFIX}${toHex(commitment)}` },
    ]);
    sendTimestamp(res, {
      attestations: [],
      ops: [
        {
          op: { op: 'prepend', arg: concatBytes(tagPrefix, salt) },
          next: {
            attestations: [],
            ops: [
              {
                op: { op: 'sha256' },
                next: { attestations: [{ type: 'pending', uri: url() }], ops: [] },
              },
            ],
          },
        },
      ],
    });
  };

  const timestamp = async (res: ServerResponse, hex: string) => {
    if (!HEX64.test(hex))
      fail('SERVER_NOT_FOUND', 'timestamps are at /timestamp/<64 lowercase hex commitment>');
    const receipt = await ledger.receiptByKey(`${CALENDAR_KEY_PREFIX}${hex}`);
    if (receipt === undefined)
      fail('SERVER_NOT_SEALED', 'commitment not found, or not sealed yet: retry later');
    let file: ReturnType<typeof receiptToOts>;
    try {
      // Our own calendar entries stay out: the answer is this log's anchor only.
      const anchors = receipt!.anchors.filter(
        (a) => a.type !== ('ots-calendar' satisfies CalendarAnchorEntry['type']),
      );
      file = receiptToOts({ ...receipt!, anchors });
    } catch (e) {
      if (isMedanchorError(e, 'OTS_UNSUPPORTED'))
        fail(
          'SERVER_NOT_SEALED',
          'pending: the checkpoint is not anchored in a confirmed block yet',
        );
      throw e;
    }
    // The exported proof starts at the record digest: prepend(tag, salt), sha256 reach the
    // commitment, from where the client asked.
    const atCommitment = file.timestamp.ops[0]?.next.ops[0]?.next;
    if (atCommitment === undefined) throw new Error('unexpected proof shape');
    sendTimestamp(res, atCommitment);
  };

  return async (req, res, path) => {
    if (path === '/digest') {
      if (req.method !== 'POST')
        throw new MedanchorError('SERVER_METHOD', 'submit a digest with POST /digest');
      await digest(req, res);
      return true;
    }
    if (path.startsWith('/timestamp/')) {
      if (req.method !== 'GET' && req.method !== 'HEAD')
        throw new MedanchorError('SERVER_METHOD', '/timestamp/<commitment> answers GET only');
      await timestamp(res, path.slice('/timestamp/'.length));
      return true;
    }
    return false;
  };
}
