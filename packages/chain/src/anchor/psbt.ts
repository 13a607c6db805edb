import {
  equalBytes,
  isMedanchorError,
  MedanchorError,
  type MedanchorErrorCode,
  toHex,
} from '@medanchor/core';
import { Psbt, type SignerAsync, Transaction } from 'bitcoinjs-lib';
import { hashToDisplayHex } from '../bitcoin/hash.js';
import { verifyInputs } from '../devnet/signatures.js';
import { toBitcoinjsNetwork } from '../network/bitcoinjs.js';
import type { NetworkParams } from '../network/params.js';
import { decodeAnchorScript } from '../spv/payload.js';
import { isTaprootCommitment } from '../spv/taproot-commitment.js';
import {
  type AnchorCoin,
  anchorPsbt,
  type BuildAnchorInput,
  type SignedAnchorTx,
} from './build.js';
import { ensureEccLib } from './ecc.js';
import type { AnchorSigner } from './funding-key.js';

/** An anchor transaction built and not yet signed: what an outside signer is given. */
export interface UnsignedAnchorTx {
  /** Display-order txid: fixed before signing, since every input is segwit. */
  readonly txid: string;
  /** The BIP-174 PSBT (binary), with `witnessUtxo` (and `tapInternalKey`) on every input. */
  readonly psbt: Uint8Array;
  readonly fee: bigint;
  readonly change: bigint;
}

/**
 * Builds an anchor transaction without signing it, as a PSBT (same form as
 * `buildAnchorTransaction`). The key's signer is not used.
 * @throws MedanchorError `INVALID_ANCHOR_PLAN`, `INVALID_COIN`.
 */
export function buildUnsignedAnchor(input: BuildAnchorInput): UnsignedAnchorTx {
  const psbt = anchorPsbt(input);
  return {
    txid: unsignedTxOf(psbt).getId(),
    psbt: psbt.toBuffer(),
    fee: input.plan.fee,
    change: input.plan.change,
  };
}

function psbtError(
  code: MedanchorErrorCode,
  message: string,
  details?: Record<string, string | number | boolean | bigint | null>,
) {
  return new MedanchorError(code, message, details === undefined ? {} : { details });
}

/**
 * Parses BIP-174 bytes (binary, or the base64 text wallets also write).
 * @throws MedanchorError `PSBT_INVALID` when they are not a PSBT.
 */
export function readPsbt(bytes: Uint8Array, network: NetworkParams): Psbt {
  if (!(bytes instanceof Uint8Array) || bytes.length === 0 || bytes.length > 1_000_000) {
    throw psbtError(
      'PSBT_INVALID',
      'a PSBT is between 1 byte and 1 MB: pass the file the signer wrote',
    );
  }
  ensureEccLib();
  const opts = { network: toBitcoinjsNetwork(network) };
  try {
    // "psbt" 0xff opens the binary form; base64 text of it opens with "cHNidP".
    if (bytes[0] === 0x70 && bytes[4] === 0xff) return Psbt.fromBuffer(bytes, opts);
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes).trim();
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text)) throw new Error('not base64');
    return Psbt.fromBase64(text, opts);
  } catch {
    throw psbtError(
      'PSBT_INVALID',
      'the file is not a BIP-174 PSBT (binary or base64): pass the file the signer wrote',
    );
  }
}

/** The unsigned transaction a PSBT carries. */
function unsignedTxOf(psbt: Psbt): Transaction {
  // bitcoinjs-lib keeps it in the global map; its bytes are the PSBT's key 0x00 value.
  const tx = (psbt.data.globalMap.unsignedTx as unknown as { toBuffer(): Uint8Array }).toBuffer();
  return Transaction.fromBuffer(tx);
}

/** The display-order txid of the transaction a PSBT signs. */
export function psbtTxid(psbt: Psbt): string {
  return unsignedTxOf(psbt).getId();
}

/** The `txid:vout` of every input of the transaction a PSBT signs, in order. */
export function psbtOutpoints(psbt: Psbt): string[] {
  return unsignedTxOf(psbt).ins.map((i) => `${hashToDisplayHex(i.hash)}:${i.index}`);
}

/**
 * Signs every input of an anchor PSBT with a sighash signer (awaited, so a KMS or HSM
 * fits) and returns the signed PSBT, not finalized.
 * @throws MedanchorError `ANCHOR_SIGNER_FAILED` when the signer fails or signs with another key.
 */
export async function signAnchorPsbt(
  psbtBytes: Uint8Array,
  signer: AnchorSigner | ((input: number) => AnchorSigner),
  network: NetworkParams,
): Promise<Uint8Array> {
  const psbt = readPsbt(psbtBytes, network);
  const asyncSigner = (i: number): SignerAsync => {
    const s = typeof signer === 'function' ? signer(i) : signer;
    return {
      publicKey: s.publicKey,
      sign: async (hash) => await s.sign(hash),
      signSchnorr: async (hash) => await s.signSchnorr(hash),
    };
  };
  try {
    for (let i = 0; i < psbt.inputCount; i++) await psbt.signInputAsync(i, asyncSigner(i));
  } catch (e) {
    if (isMedanchorError(e)) throw e;
    // The signer's own error may name its key or service: keep only that it failed.
    throw psbtError(
      'ANCHOR_SIGNER_FAILED',
      'the signer did not sign the anchor inputs: check that it holds the funding key and is reachable',
    );
  }
  return psbt.toBuffer();
}

/** What a signed PSBT must match: the transaction that was built and the coins it spends. */
export interface ExpectedAnchor {
  /** The PSBT as built (unsigned). */
  readonly psbt: Uint8Array;
  /** The checkpoint digest the transaction commits to. */
  readonly digest: Uint8Array;
  /** The coins spent, in input order: signatures are checked against these, not the PSBT's copies. */
  readonly coins: readonly AnchorCoin[];
  readonly fee: bigint;
  /** For a taproot-tweak anchor: the change key (x-only) its only output is tweaked from. */
  readonly tweakKey?: Uint8Array;
}

/** Why a signed PSBT is not the anchor transaction that was built. */
export type PsbtMismatch = 'inputs' | 'commitment' | 'outputs' | 'transaction';

const MISMATCH_TEXT: Record<PsbtMismatch, string> = {
  inputs:
    'spends other coins than the anchor that awaits a signature (an input was added, removed or changed)',
  commitment: 'commits to another checkpoint than the anchor that awaits a signature',
  outputs: 'pays other outputs than the anchor that awaits a signature',
  transaction: 'changes the version, lock time or sequence numbers of the anchor transaction',
};

/** The first way `got` differs from `want`, or `undefined` when they are the same transaction. */
export function anchorMismatch(
  want: Transaction,
  got: Transaction,
  digest: Uint8Array,
  tweakKey?: Uint8Array,
): PsbtMismatch | undefined {
  const outpoints = (t: Transaction) => t.ins.map((i) => `${toHex(i.hash)}:${i.index}`).join(',');
  if (outpoints(want) !== outpoints(got)) return 'inputs';
  const commits = got.outs.filter((o) => {
    if (tweakKey !== undefined) return isTaprootCommitment(o.script, tweakKey, digest);
    const d = decodeAnchorScript(o.script);
    return d !== undefined && equalBytes(d, digest);
  });
  if (commits.length !== 1) return 'commitment';
  if (
    want.outs.length !== got.outs.length ||
    want.outs.some(
      (o, i) => o.value !== got.outs[i]!.value || !equalBytes(o.script, got.outs[i]!.script),
    )
  )
    return 'outputs';
  if (
    want.version !== got.version ||
    want.locktime !== got.locktime ||
    want.ins.some((x, i) => x.sequence !== got.ins[i]!.sequence)
  )
    return 'transaction';
  return undefined;
}

/**
 * Checks a PSBT signed elsewhere against the anchor that was built, finalizes the
 * inputs the signer left unfinalized and verifies every signature against the
 * recorded coins. The result is ready to broadcast.
 *
 * @throws MedanchorError `PSBT_INVALID` (not a PSBT), `PSBT_MISMATCH` (another transaction:
 * `details.differs` is `inputs`, `commitment`, `outputs` or `transaction`), `PSBT_UNSIGNED`
 * (an input has no signature), `PSBT_BAD_SIGNATURE` (a signature does not verify).
 */
export function finalizeAnchorPsbt(
  signed: Uint8Array,
  expected: ExpectedAnchor,
  network: NetworkParams,
): SignedAnchorTx {
  const psbt = readPsbt(signed, network);
  const want = unsignedTxOf(readPsbt(expected.psbt, network));
  const differs = anchorMismatch(want, unsignedTxOf(psbt), expected.digest, expected.tweakKey);
  if (differs !== undefined) {
    throw psbtError(
      'PSBT_MISMATCH',
      `the signed PSBT ${MISMATCH_TEXT[differs]}: sign the PSBT that was exported, unchanged`,
      {
        differs,
      },
    );
  }
  for (let i = 0; i < psbt.inputCount; i++) {
    const input = psbt.data.inputs[i]!;
    if (input.finalScriptWitness !== undefined || input.finalScriptSig !== undefined) continue;
    try {
      psbt.finalizeInput(i);
    } catch {
      throw psbtError(
        'PSBT_UNSIGNED',
        `input ${i} of the PSBT has no usable signature: sign every input with the funding key`,
        { input: i },
      );
    }
  }
  let tx: Transaction;
  try {
    tx = psbt.extractTransaction(true);
  } catch {
    throw psbtError(
      'PSBT_UNSIGNED',
      'the PSBT cannot be finalized: sign every input with the funding key',
    );
  }
  try {
    verifyInputs(
      tx,
      expected.coins.map((c) => ({ script: c.script, value: c.value })),
    );
  } catch (e) {
    if (!isMedanchorError(e)) throw e;
    throw psbtError(
      'PSBT_BAD_SIGNATURE',
      `a signature in the PSBT does not verify (${e.message})`,
      { ...e.details },
    );
  }
  const change = tx.outs.find((o) => o.script[0] !== 0x6a)?.value ?? 0n;
  return {
    txid: tx.getId(),
    raw: tx.toBuffer(),
    outputIndex: 0,
    fee: expected.fee,
    change,
    vsize: tx.virtualSize(),
  };
}
