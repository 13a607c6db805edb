import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  type HeadProof,
  isMedanchorError,
  MedanchorError,
  type NoteVerifierKey,
  toVerifierKey,
  verifyCheckpointNote,
  verifyHeadProof,
  verifyReceiptMerkle,
} from '@medanchor/core';
import {
  type ConsentGrant,
  parseJsonStrict,
  verifyConsentGrant,
  verifyConsentRevocation,
} from '@medanchor/crypto';
import { stringList } from '../args.js';
import { defineCommand } from '../command.js';
import type { ResolvedConfig } from '../config.js';
import { consentStamps, readStampedSmallFile } from '../consent-stamps.js';
import {
  type ConsentVerdictResult,
  consentVerdict,
  type PlacedLeaf,
  type PlacedRevocation,
} from '../consent-verdict.js';
import { EXIT_INVALID, EXIT_OK } from '../exit-codes.js';
import { headProofKeys } from '../head-proof-keys.js';
import type { CliIo } from '../io.js';
import { logKeyPath, readLogKey } from '../log-key.js';
import { readReceiptFile } from '../read-json.js';
import { recordOf, stampKey } from '../stamp-book.js';
import { inputError, usageError } from '../usage-error.js';
import { openWorkspace } from '../workspace.js';
import { asOfSize, headJson, noHeadMap, readProofFile, sizeRefused } from './history.js';

const OFFLINE_ONLY = ['vkey', 'receipt', 'revocation', 'record'] as const;

interface ReadGrant {
  readonly file: string;
  readonly bytes: Uint8Array;
  readonly digest: string;
  readonly grant: ConsentGrant;
  readonly hash: string;
}

/** The signed grant file: unreadable or not a valid signed grant is input error (exit 2). */
function readGrant(file: string): ReadGrant {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(file));
  } catch (cause) {
    throw inputError(`cannot read the consent grant ${file}`, cause);
  }
  let signed: unknown;
  try {
    signed = parseJsonStrict(new TextDecoder().decode(bytes));
  } catch (cause) {
    // Repeated member names are refused as `consent check` refuses them (consent.md).
    throw inputError(
      `the consent grant ${file} is not JSON, or repeats a member name in one object`,
      cause,
    );
  }
  const check = verifyConsentGrant(signed);
  if (!check.valid)
    throw inputError(
      `${file} is not a valid signed consent grant (${check.step}: ${check.reason}): give the file \`consent grant\` wrote`,
    );
  const digest = createHash('sha256').update(bytes).digest('hex');
  return { file, bytes, digest, grant: check.grant, hash: check.grantHash };
}

/** Where a receipt places `content`, or why it does not. */
function placeOf(
  receipt: unknown,
  content: Uint8Array,
  keys: readonly NoteVerifierKey[],
): PlacedLeaf | { failed: string } {
  const v = verifyReceiptMerkle(receipt, { content });
  if (!v.ok) return { failed: `step "${v.step}": ${v.reason}` };
  const r = v.receipt;
  const note = r.checkpoint.note;
  return {
    origin: r.checkpoint.origin,
    leafIndex: r.leafIndex,
    commitment: r.record.commitment,
    signed: note !== undefined && verifyCheckpointNote(note, keys).ok,
  };
}

/** The receipts written beside a stamped file: its first and a later content's. */
function receiptsBeside(file: string, digest: string): string[] {
  return [`${file}.receipt.json`, `${file}.${digest.slice(0, 16)}.receipt.json`].filter((p) =>
    existsSync(p),
  );
}

/** What the project's stamps and ledger show about the grant, with the proof at `size`. */
async function fromProject(
  config: ResolvedConfig,
  io: CliIo,
  g: ReadGrant,
  grantArg: string,
  size: number | undefined,
) {
  const signer = readLogKey(logKeyPath(config));
  const keys = signer === undefined ? [] : [toVerifierKey(signer)];
  const ws = await openWorkspace(config, io.env, { anchoring: false, headMap: true });
  try {
    if (!ws.headMap) throw noHeadMap(config.headMap);
    const stamps = consentStamps(ws.stamps, g.hash);
    const own =
      ws.stamps.get(stampKey(ws.stamps.relative(g.file), g.digest)) ??
      stamps.grants.find((s) => s.line.digest === g.digest)?.line;
    if (own === undefined)
      throw new MedanchorError(
        'CLI_CONSENT_NOT_STAMPED',
        `${g.file} is not stamped in this project${ws.stamps.all().some((l) => l.path === ws.stamps.relative(g.file)) ? ' with its present content (it changed since its stamp)' : ''}: stamp it (\`medanchor stamp ${grantArg}\`) and seal, then ask again`,
      );
    const record = recordOf(own);
    let proof: HeadProof;
    try {
      proof = await ws.ledger.headProof(record, size === undefined ? {} : { size });
    } catch (e) {
      if (isMedanchorError(e, 'HEAD_MAP_UNAVAILABLE')) throw await sizeRefused(ws, size, e);
      throw e;
    }
    const receiptOf = async (key: string) => {
      try {
        return await ws.ledger.receiptByKey(key);
      } catch (e) {
        if (isMedanchorError(e, 'RECORD_FORGOTTEN')) return undefined;
        throw e;
      }
    };
    const grantLeaves: PlacedLeaf[] = [];
    for (const line of ws.stamps.all()) {
      if (recordOf(line) !== record || line.digest !== g.digest) continue;
      const receipt = await receiptOf(line.key);
      const placed = receipt === undefined ? undefined : placeOf(receipt, g.bytes, keys);
      if (placed !== undefined && !('failed' in placed)) grantLeaves.push(placed);
    }
    const revocations: PlacedRevocation[] = [];
    const unreadable: { name: string; leafIndex: number }[] = [];
    for (const s of stamps.revocations) {
      const name = s.line.path;
      const bytes = readStampedSmallFile(ws.stamps.absolute(s.line.path), s.line.digest);
      const check =
        s.document === undefined ? undefined : verifyConsentRevocation(s.document.signed, g.grant);
      if (bytes === undefined || check === undefined || !check.valid) {
        if (s.line.leaf !== undefined)
          unreadable.push({
            name:
              check === undefined
                ? `${name} (gone or changed since it was stamped)`
                : `${name} (not a valid revocation of this grant)`,
            leafIndex: s.line.leaf,
          });
        continue;
      }
      const receipt = await receiptOf(s.line.key);
      const placed = receipt === undefined ? undefined : placeOf(receipt, bytes, keys);
      revocations.push({
        name,
        revokedAt: check.revocation.revokedAt,
        leaves: placed === undefined || 'failed' in placed ? [] : [placed],
      });
    }
    return { proof, record, keys, grantLeaves, revocations, unreadable };
  } finally {
    await ws.close();
  }
}

/** The text lines of a verdict. */
function verdictLines(v: ConsentVerdictResult): string[] {
  return [
    v.verdict === 'in-force'
      ? `IN FORCE: ${v.statement}`
      : v.verdict === 'refused'
        ? `REFUSED: ${v.statement}`
        : `NOT IN FORCE (${v.verdict}): ${v.statement}`,
    ...v.notes.map((n) => `note: ${n}`),
  ];
}

export const consentStatusCommand = defineCommand({
  path: ['consent', 'status'],
  summary:
    'was a consent grant in force as of a checkpoint? a head proof says (exit 0 in force, 1 not)',
  usage: '<grant.json>',
  description:
    "Answers whether a stamped consent grant was in force as of a sealed checkpoint C: the log's signed head map (docs/spec/head-map.md) shows the newest version of the grant's record up to C. `stamp` adds a revocation as the next version of its grant's record, so the grant being the newest version proves that no revocation was committed up to C. Prints one verdict: in-force, revoked (at leaf N), expired or not-yet-valid (the validity period at --at, default now), unseen (a newer version that is no revocation known: one may be withheld), not-committed (the grant is not in the log up to C), refused (the proof does not verify, is of another record, or contradicts a receipt). The head proof is checked with the log's key before --out writes it. An auditor checks it offline, without a data directory: --proof <file> with the grant, its receipt beside it (or --receipt), the log's --vkey and each --revocation they hold (with its receipt beside it).",
  options: [
    {
      name: 'as-of',
      type: 'string',
      value: '<size|latest>',
      description: 'the checkpoint, by its size (as `seal` printed it), or latest (default)',
    },
    {
      name: 'at',
      type: 'string',
      value: '<time>',
      description: 'check the validity period at this time (ISO 8601; default now)',
    },
    {
      name: 'out',
      type: 'string',
      short: 'o',
      value: '<file>',
      description: 'write the head proof (JSON) to this file, for an auditor',
    },
    {
      name: 'proof',
      type: 'string',
      value: '<file>',
      description: 'offline: judge this head proof (from --out) instead of the project',
    },
    {
      name: 'vkey',
      type: 'string',
      multiple: true,
      value: '<vkey>',
      description: "offline: the log's verifier key, as `medanchor init` printed it",
    },
    {
      name: 'receipt',
      type: 'string',
      value: '<receipt.json>',
      description: "offline: the grant's receipt (default: the one beside the grant)",
    },
    {
      name: 'revocation',
      type: 'string',
      multiple: true,
      value: '<file>',
      description: 'offline: a signed revocation of the grant, its receipt beside it',
    },
    {
      name: 'record',
      type: 'string',
      value: '<record-id>',
      description: "offline: the grant's record id: a proof for another is refused",
    },
  ],
  exclusive: [
    ['proof', 'as-of'],
    ['proof', 'out'],
  ],
  examples: [
    ['medanchor consent status grant.json', 'in force as of the latest checkpoint?'],
    [
      'medanchor consent status grant.json --as-of 4 -o grant.status-4.json',
      'as of the checkpoint of size 4, the proof saved for an auditor',
    ],
    [
      'medanchor consent status grant.json --proof grant.status-4.json --vkey clinic.example/records+1a2b3c4d+AbC... --revocation revocation.json',
      'the auditor, offline, with the revocations they hold',
    ],
  ],
  arity: [1, 1],
  async run({ args, config, out, io }) {
    const v = args.values;
    const offline = v.proof !== undefined;
    if (!offline)
      for (const name of OFFLINE_ONLY)
        if (v[name] !== undefined)
          throw usageError(
            `--${name} is for the offline check (with --proof <file>); in a project the stamps and the log key say it`,
          );
    const size = asOfSize(v['as-of']);
    const at = v.at === undefined ? new Date() : new Date(v.at);
    if (Number.isNaN(at.getTime()))
      throw usageError('--at is not a time (use ISO 8601, e.g. 2027-01-01T00:00:00Z)');
    const target = v.out === undefined ? undefined : resolve(io.cwd, v.out);
    const g = readGrant(resolve(io.cwd, args.positionals[0]!));

    let proof: unknown;
    let keys: readonly NoteVerifierKey[];
    let keySource: string;
    let grantLeaves: PlacedLeaf[];
    let revocations: PlacedRevocation[];
    let unreadable: { name: string; leafIndex: number }[] = [];
    let record: string | undefined;
    const notes: string[] = [];
    if (!offline) {
      const p = await fromProject(config, io, g, args.positionals[0]!, size);
      ({ proof, keys, grantLeaves, revocations, unreadable, record } = p);
      keySource = "this project's own log key";
    } else {
      const k = headProofKeys(config, stringList(v.vkey));
      keys = k.keys;
      keySource =
        k.source === 'vkey'
          ? 'the --vkey given'
          : k.source === 'trust'
            ? 'the trust policy of the config'
            : "this project's own log key";
      proof = readProofFile(resolve(io.cwd, v.proof!));
      record = v.record;
      const given = v.receipt === undefined ? undefined : resolve(io.cwd, v.receipt);
      const candidates = given === undefined ? receiptsBeside(g.file, g.digest) : [given];
      if (candidates.length === 0)
        throw inputError(
          `no receipt beside ${g.file} (${g.file}.receipt.json): pass the grant's receipt with --receipt`,
        );
      const placed = candidates.map((c) => ({ c, p: placeOf(readReceiptFile(c), g.bytes, keys) }));
      grantLeaves = placed.flatMap((x) => ('failed' in x.p ? [] : [x.p]));
      if (grantLeaves.length === 0) {
        const first = placed[0]!;
        throw inputError(
          `the receipt ${first.c} does not verify for ${g.file} (${(first.p as { failed: string }).failed}): give the receipt of this grant`,
        );
      }
      revocations = stringList(v.revocation).map((f) => {
        const file = resolve(io.cwd, f);
        let bytes: Uint8Array;
        let signed: unknown;
        try {
          bytes = new Uint8Array(readFileSync(file));
          signed = parseJsonStrict(new TextDecoder().decode(bytes));
        } catch (cause) {
          throw inputError(
            `cannot read the revocation ${file} as JSON (or it repeats a member name in one object)`,
            cause,
          );
        }
        const check = verifyConsentRevocation(signed, g.grant);
        if (!check.valid)
          throw inputError(
            `${file} is not a valid revocation of ${g.file} (${check.step}: ${check.reason})`,
          );
        const digest = createHash('sha256').update(bytes).digest('hex');
        const leaves = receiptsBeside(file, digest).flatMap((c) => {
          const p = placeOf(readReceiptFile(c), bytes, keys);
          return 'failed' in p ? [] : [p];
        });
        if (leaves.length === 0)
          notes.push(`${f} has no receipt beside it that verifies: it is not placed in the log`);
        return { name: f, revokedAt: check.revocation.revokedAt, leaves };
      });
    }

    const h = verifyHeadProof(proof, { keys, ...(record === undefined ? {} : { record }) });
    if (!h.ok) {
      // Our own ledger's proof must verify: a failure there is a damaged map store.
      if (!offline)
        throw new MedanchorError(
          'STORE_CORRUPT',
          `the proof this ledger built does not verify (step "${h.step}": ${h.reason}): the head map store may be damaged; restore it with the ledger's store`,
        );
      out.result({ ok: false, verdict: 'refused', step: h.step, code: h.code, reason: h.reason }, [
        `REFUSED at step "${h.step}": ${h.code}: ${h.reason}`,
      ]);
      return EXIT_INVALID;
    }
    const head = headJson(h);
    const verdict = consentVerdict({
      checkpoint: h.checkpoint,
      record: h.record,
      head,
      grant: g.grant,
      grantName: args.positionals[0]!,
      grantLeaves,
      revocations,
      unreadable,
      at: at.getTime(),
    });
    if (target !== undefined) {
      try {
        writeFileSync(target, `${JSON.stringify(proof, null, 2)}\n`);
      } catch (cause) {
        throw inputError(`cannot write the proof to ${target}`, cause);
      }
    }
    const allNotes = [...notes, ...verdict.notes];
    const ok = verdict.verdict === 'in-force';
    out.result(
      {
        ok,
        verdict: verdict.verdict,
        ...(verdict.step === undefined ? {} : { step: verdict.step }),
        statement: verdict.statement,
        notes: allNotes,
        ...(verdict.leafIndex === undefined ? {} : { leafIndex: verdict.leafIndex }),
        ...(verdict.revocation === undefined ? {} : { revocation: verdict.revocation }),
        grant: {
          file: g.file,
          hash: g.hash,
          record: h.record,
          leaves: grantLeaves.map((l) => l.leafIndex),
        },
        checkpoint: h.checkpoint,
        head: head === null ? null : head,
        at: at.toISOString(),
        keySalt: (proof as { keySalt: string }).keySalt,
        keys: keySource,
        ...(target === undefined ? {} : { out: target }),
        ...(offline ? {} : { proof }),
      },
      [
        ...verdictLines({ ...verdict, notes: allNotes }),
        `the head proof: ${h.statement}; checked with ${keySource}`,
        ...(offline
          ? []
          : [
              target === undefined
                ? 'pass --out <file> to save the head proof; an auditor checks it with `medanchor consent status --proof <file>`'
                : `wrote the head proof to ${target}; an auditor checks it with \`medanchor consent status ${args.positionals[0]} --proof ${v.out} --vkey <the log's vkey>\``,
            ]),
      ],
    );
    return ok ? EXIT_OK : EXIT_INVALID;
  },
});
