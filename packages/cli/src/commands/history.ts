import { statSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  equalBytes,
  fromHex,
  type HeadProof,
  type HeadProofVerification,
  isMedanchorError,
  MedanchorError,
  toHex,
  toVerifierKey,
  verifyHeadProof,
  verifyReceiptMerkle,
} from '@medanchor/core';
import { stringList } from '../args.js';
import { defineCommand } from '../command.js';
import { EXIT_INVALID, EXIT_OK } from '../exit-codes.js';
import { headProofKeys } from '../head-proof-keys.js';
import { logKeyPath, readLogKey } from '../log-key.js';
import { readJsonFile, readReceiptFile } from '../read-json.js';
import { recordIdFor } from '../record-ids.js';
import { recordOf } from '../stamp-book.js';
import { inputError, usageError } from '../usage-error.js';
import { openWorkspace, type Workspace } from '../workspace.js';

// A head proof is at most a 64 KiB note and 256 hashes: anything far larger is another file.
const MAX_PROOF_BYTES = 256 * 1024;
// Members only a head proof has (a receipt also has version, record and checkpoint).
const PROOF_MEMBERS = ['type', 'keySalt', 'head', 'siblings'];

/** `--as-of`: a checkpoint size, or `latest` (undefined). */
export function asOfSize(value: string | undefined): number | undefined {
  if (value === undefined || value === 'latest') return undefined;
  const n = /^[1-9][0-9]{0,15}$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n))
    throw usageError(`--as-of takes the size of a sealed checkpoint (1, 2, ...) or "latest"`);
  return n;
}

/** Why this project's ledger has no head map, in words a user can act on. */
export function noHeadMap(headMapOn: boolean): MedanchorError {
  return new MedanchorError(
    'HEAD_MAP_UNAVAILABLE',
    headMapOn
      ? 'this log signs no checkpoints (a data directory from before signed checkpoints has no log key), and a head map needs signed checkpoints'
      : 'the head map is off ("headMap": false in the config): remove that line, then stamp and seal to start one',
  );
}

/** The ledger's refusal for `--as-of`, with the sizes a user can ask for. */
export async function sizeRefused(ws: Workspace, size: number | undefined, e: MedanchorError) {
  const latest = (await ws.ledger.latestCheckpoint())?.size;
  if (latest === undefined)
    return new MedanchorError(
      'HEAD_MAP_UNAVAILABLE',
      'nothing is sealed yet: stamp files and run `medanchor seal` first',
    );
  const where = size === undefined ? 'the latest checkpoint' : `the checkpoint of size ${size}`;
  return new MedanchorError(
    'HEAD_MAP_UNAVAILABLE',
    /without a head map/.test(e.message)
      ? `${where} was sealed before this log kept a head map: ask about a checkpoint sealed since (the latest is size ${latest}), or stamp and seal to get one`
      : `no checkpoint of size ${size} was sealed (the latest is size ${latest}): give the size a \`seal\` printed, or "latest"`,
    { details: { ...(size === undefined ? {} : { size }), latest } },
  );
}

/** A proof's head as JSON (`commitment` in hex), or null. */
export function headJson(r: HeadProofVerification & { ok: true }) {
  return r.head === null
    ? null
    : { leafIndex: r.head.leafIndex, count: r.head.count, commitment: toHex(r.head.commitment) };
}

export const historyProveCommand = defineCommand({
  path: ['history', 'prove'],
  summary: "prove a record's newest version (or that it has none) as of a checkpoint",
  usage: '<file|record-id>',
  description:
    "Builds a head proof (docs/spec/head-map.md): the log's signed checkpoint commits to a map from every record to its newest leaf, and the proof shows the record's entry in it. An auditor who holds it learns, offline and with the log's verifier key, that no later version of the record was committed up to that checkpoint (or that the record had no version there). A stamped file is named by its path; a record added through the API by its id. The proof is checked with this log's key before it is written. Needs a log that keeps a head map: on by default since `init`, and a log without one gets it at its next seal (built from leaf 0, once); checkpoints sealed before have none. Check a proof with `history verify`.",
  options: [
    {
      name: 'as-of',
      type: 'string',
      value: '<size|latest>',
      description: 'the checkpoint, by its size (as `seal` printed it), or latest (default)',
    },
    {
      name: 'out',
      type: 'string',
      short: 'o',
      value: '<file>',
      description: 'write the proof (JSON) to this file, for an auditor',
    },
  ],
  examples: [
    ['medanchor history prove obs-1.json', 'the newest version of obs-1.json, latest checkpoint'],
    [
      'medanchor history prove obs-1.json --as-of 4 -o obs-1.head.json',
      'as of the checkpoint of size 4, saved for an auditor',
    ],
    ['medanchor history prove Consent/c-1 --json', 'a record added through the API'],
  ],
  arity: [1, 1],
  async run({ args, config, out, io }) {
    const size = asOfSize(args.values['as-of']);
    const target = args.values.out === undefined ? undefined : resolve(io.cwd, args.values.out);
    const ws = await openWorkspace(config, io.env, { anchoring: false, headMap: true });
    let proof: HeadProof;
    let record: string;
    let local: { leaf: number | null; receipt: string }[];
    try {
      if (!ws.headMap) throw noHeadMap(config.headMap);
      record = recordIdFor(ws.stamps, args.positionals[0]!, io.cwd);
      try {
        proof = await ws.ledger.headProof(record, size === undefined ? {} : { size });
      } catch (e) {
        if (isMedanchorError(e, 'HEAD_MAP_UNAVAILABLE')) throw await sizeRefused(ws, size, e);
        throw e;
      }
      local = ws.stamps
        .all()
        .filter((l) => recordOf(l) === record)
        .map((l) => ({ leaf: l.leaf ?? null, receipt: ws.stamps.absolute(l.receipt) }))
        .sort((a, b) => (a.leaf ?? Number.MAX_SAFE_INTEGER) - (b.leaf ?? Number.MAX_SAFE_INTEGER));
    } finally {
      await ws.close();
    }
    // Never hand out a proof that does not verify: a damaged map store shows here.
    const signer = readLogKey(logKeyPath(config))!;
    const check = verifyHeadProof(proof, { keys: [toVerifierKey(signer)], record });
    if (!check.ok)
      throw new MedanchorError(
        'STORE_CORRUPT',
        `the proof this ledger built does not verify (step "${check.step}": ${check.reason}): the head map store may be damaged; restore it with the ledger's store`,
      );
    if (target !== undefined) {
      try {
        writeFileSync(target, `${JSON.stringify(proof, null, 2)}\n`);
      } catch (cause) {
        throw inputError(`cannot write the proof to ${target}`, cause);
      }
    }
    const newest =
      check.head === null ? undefined : local.find((l) => l.leaf === check.head!.leafIndex);
    out.result(
      {
        ok: true,
        record,
        checkpoint: check.checkpoint,
        head: headJson(check),
        statement: check.statement,
        ...(newest === undefined ? {} : { newestReceipt: newest.receipt }),
        stamped: local,
        ...(target === undefined ? {} : { out: target }),
        proof,
      },
      [
        check.statement,
        ...(newest !== undefined
          ? [`that is the version stamped here with receipt ${newest.receipt}`]
          : check.head !== null && local.length > 0
            ? [
                `none of the ${local.length} version(s) stamped here is that leaf: it was added elsewhere (another stamp list, the API)`,
              ]
            : []),
        target === undefined
          ? 'pass --out <file> to save the proof; an auditor checks it with `medanchor history verify`'
          : `wrote the proof to ${target}; check it with \`medanchor history verify ${args.values.out}\``,
      ],
    );
    return EXIT_OK;
  },
});

/** Reads a head proof file: unreadable, not JSON or not a head proof at all is input error. */
export function readProofFile(path: string): unknown {
  let bytes: number;
  try {
    bytes = statSync(path).size;
  } catch (cause) {
    throw inputError(`cannot read the head proof ${path}`, cause);
  }
  if (bytes > MAX_PROOF_BYTES)
    throw inputError(
      `${path} is ${bytes} bytes, more than any head proof (at most ${MAX_PROOF_BYTES}): give the file \`history prove --out\` wrote`,
    );
  const value = readJsonFile(path, 'head proof');
  const o = value as Record<string, unknown> | null;
  if (typeof o !== 'object' || o === null || Array.isArray(o) || !PROOF_MEMBERS.some((k) => k in o))
    throw inputError(
      `${path} is JSON but not a head proof (none of ${PROOF_MEMBERS.join(', ')}): give the file \`history prove --out\` wrote`,
    );
  return value;
}

/**
 * Why a verified head does not make the receipt's version the newest (docs/spec/history.md
 * section 5, steps log and latest), or undefined when it does.
 * @throws MedanchorError `CLI_INPUT` for a receipt that is unreadable or does not verify.
 */
function receiptMismatch(
  r: HeadProofVerification & { ok: true },
  receiptPath: string,
): { step: string; code: string; reason: string } | undefined {
  // The receipt is an input here, not the claim under test: one that does not verify
  // decides nothing about the head proof.
  const checked = verifyReceiptMerkle(readReceiptFile(receiptPath));
  if (!checked.ok)
    throw inputError(
      `--receipt ${receiptPath} does not verify (step "${checked.step}": ${checked.reason}): check it with \`medanchor verify\`; the head proof was not judged`,
    );
  const receipt = checked.receipt;
  if (receipt.checkpoint.origin !== r.checkpoint.origin)
    return {
      step: 'log',
      code: 'HEAD_PROOF_MISMATCH',
      reason: `the receipt is of log ${receipt.checkpoint.origin}, the proof of log ${r.checkpoint.origin}`,
    };
  if (receipt.leafIndex >= r.checkpoint.size)
    return {
      step: 'latest',
      code: 'HEAD_PROOF_MISMATCH',
      reason: `the receipt's leaf ${receipt.leafIndex} is not below size ${r.checkpoint.size}: ask for a proof as of a later checkpoint`,
    };
  const head = r.head;
  if (
    head === null ||
    head.leafIndex !== receipt.leafIndex ||
    !equalBytes(head.commitment, fromHex(receipt.record.commitment))
  )
    return {
      step: 'latest',
      code: 'HEAD_PROOF_MISMATCH',
      reason:
        head === null
          ? `the proof says ${r.record} has no version up to size ${r.checkpoint.size}, yet the receipt's leaf ${receipt.leafIndex} is below it: the receipt is of another record`
          : `the newest version of ${r.record} up to size ${r.checkpoint.size} is leaf ${head.leafIndex}, not this receipt's leaf ${receipt.leafIndex}: a later version exists (or the receipt is of another record)`,
    };
  return undefined;
}

export const historyVerifyCommand = defineCommand({
  path: ['history', 'verify'],
  summary:
    'check a head proof: the newest version of a record as of a signed checkpoint (exit 0 proven, 1 refused)',
  usage: '<proof.json>',
  description:
    "Checks a head proof offline (docs/spec/head-map.md section 5): the checkpoint is signed by the log's key (--vkey, else the config's trust policy, else this project's own log key), it commits to a head map, and the proof's path leads from the record's key to the map's root. States what it proves: the record's newest leaf and its number of versions up to that checkpoint, or that it had none. With --receipt, also that the receipt's version is that newest leaf (no later version up to the checkpoint). A refused proof names the step that failed (shape, checkpoint, map-root, record, key, path, head; receipt, log, latest with --receipt) and exits 1; an unreadable file exits 2.",
  options: [
    {
      name: 'vkey',
      type: 'string',
      multiple: true,
      value: '<vkey>',
      description: "the log's verifier key, as `medanchor init` printed it",
    },
    {
      name: 'record',
      type: 'string',
      value: '<record-id>',
      description: 'the record asked about: a proof for another is refused (step record)',
    },
    {
      name: 'key-salt',
      type: 'string',
      value: '<hex>',
      description: "the record's key salt from an earlier proof (--json keySalt): step key",
    },
    {
      name: 'receipt',
      type: 'string',
      value: '<receipt.json>',
      description: "require this receipt's version to be the newest (step latest)",
    },
  ],
  examples: [
    [
      'medanchor history verify obs-1.head.json --vkey clinic.example/records+1a2b3c4d+AbC...',
      'an auditor with the published vkey',
    ],
    [
      'medanchor history verify obs-1.head.json --record obs-1.json --receipt obs-1.json.receipt.json',
      'this receipt is the newest version of obs-1.json as of the proof',
    ],
    ['medanchor history verify --json obs-1.head.json', 'machine-readable'],
  ],
  arity: [1, 1],
  async run({ args, config, out, io }) {
    const proofPath = resolve(io.cwd, args.positionals[0]!);
    const salt = args.values['key-salt'];
    if (salt !== undefined && !/^[0-9a-fA-F]{64}$/.test(salt))
      throw usageError('--key-salt takes 64 hex digits (the keySalt of an earlier proof)');
    const { keys, source } = headProofKeys(config, stringList(args.values.vkey));
    const proof = readProofFile(proofPath);
    const receiptPath =
      args.values.receipt === undefined ? undefined : resolve(io.cwd, args.values.receipt);
    const r = verifyHeadProof(proof, {
      keys,
      ...(args.values.record === undefined ? {} : { record: args.values.record }),
      ...(salt === undefined ? {} : { keySalt: fromHex(salt.toLowerCase()) }),
    });
    const failure = r.ok
      ? receiptPath === undefined
        ? undefined
        : receiptMismatch(r, receiptPath)
      : { step: r.step, code: r.code, reason: r.reason };
    if (failure !== undefined || !r.ok) {
      const f = failure!;
      out.result({ ok: false, proof: proofPath, step: f.step, code: f.code, reason: f.reason }, [
        `REFUSED at step "${f.step}": ${f.code}: ${f.reason}`,
      ]);
      return EXIT_INVALID;
    }
    const keySalt = (proof as { keySalt: string }).keySalt;
    out.result(
      {
        ok: true,
        proof: proofPath,
        record: r.record,
        checkpoint: r.checkpoint,
        head: headJson(r),
        statement: r.statement,
        keySalt,
        keys: source,
        ...(receiptPath === undefined ? {} : { receipt: receiptPath, newest: true }),
      },
      [
        `PROVEN: ${r.statement}`,
        ...(receiptPath === undefined
          ? []
          : [`${receiptPath} is that version: no later version up to size ${r.checkpoint.size}`]),
        `checked with ${source === 'vkey' ? 'the --vkey given' : source === 'trust' ? 'the trust policy of the config' : "this project's own log key"}${salt === undefined ? '; pass --key-salt (from --json) to later checks of this record' : ' and the key salt given'}`,
      ],
    );
    return EXIT_OK;
  },
});
