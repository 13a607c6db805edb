import type { ErrorCatalogue, ErrorCodesOf } from '@medanchor/core';

/**
 * Error codes of `@medanchor/chain` (anchoring, backends, Bitcoin formats, the ledger,
 * OpenTimestamps): what each means and what to do. The general codes (`INVALID_ARGUMENT`,
 * `INVALID_LENGTH`, `INVALID_KEY`, the `STORE_` codes, ...) are in core's catalogue.
 */
export const CHAIN_ERROR_CODES = {
  // Anchoring.
  INSUFFICIENT_FUNDS: {
    meaning: 'The funding key has too little confirmed value to pay for the anchor.',
    action: "Send coins to the funding key's address and wait for a confirmation.",
  },
  FUNDS_UNCONFIRMED: {
    meaning: 'The funding key has enough value only in unconfirmed outputs.',
    action: 'Anchor again after the next block.',
  },
  FEE_TOO_HIGH: {
    meaning: "The backend's fee estimate is above the policy's maxSatPerVb.",
    action: 'Anchor later, raise maxSatPerVb, or set onTooHigh: "clamp".',
  },
  FEE_BUDGET_EXCEEDED: {
    meaning: 'Signing this anchor would spend more than the daily fee budget (any 24 hours).',
    action:
      'Wait: sync() anchors it once earlier fees leave the window; or raise feeBudget.satsPerDay.',
  },
  FEE_ESTIMATE_UNAVAILABLE: {
    meaning: 'The backend has no fee estimate yet.',
    action: 'Pass a fallback fee rate, or set the fee rate yourself.',
  },
  INVALID_FEE_POLICY: {
    meaning: 'The fee policy is inconsistent (bounds, bump factor, target, onTooHigh).',
    action: 'Use `0 < minSatPerVb <= maxSatPerVb`, `bumpFactor >= 1`, `targetBlocks >= 1`.',
  },
  INVALID_ANCHOR_PLAN: {
    meaning:
      'An anchor transaction plan does not add up (fee plus change differs from the inputs).',
    action: 'Plan the fee with planAnchorFee.',
  },
  INVALID_COIN: {
    meaning: 'A coin given to the anchor transaction does not pay the funding key.',
    action: "Spend only the funding key's own coins.",
  },
  ANCHOR_PROOF_REFUSED: {
    meaning:
      "A backend's proof of an anchor transaction failed a check (details.step names it); nothing was written.",
    action:
      'Try again later or use another backend; a backend that keeps failing is lying or broken.',
  },
  ANCHOR_SIGNER_FAILED: {
    meaning: 'The signer did not sign the anchor inputs.',
    action: 'Check that the signer holds the funding key and is reachable.',
  },
  ANCHOR_STATE_CORRUPT: {
    meaning: 'The anchor state is damaged.',
    action:
      'Restore it from a backup; never start over with an empty state while anchors are pending (it could pay twice).',
  },
  ANCHOR_STATE_VERSION: {
    meaning: 'The anchor state was written by another format version.',
    action: 'Use the medanchor version that wrote it.',
  },
  ANCHOR_STATE_UNREADABLE: {
    meaning: 'The anchor state file cannot be read.',
    action: 'Check its path and permissions.',
  },
  ANCHOR_STATE_WRITE_FAILED: {
    meaning: 'The anchor state could not be saved, so nothing was broadcast.',
    action: 'Free disk space or fix permissions, then anchor again.',
  },
  NOT_AWAITING_SIGNATURE: {
    meaning: 'A signed PSBT was imported, but no anchor awaits a signature.',
    action: 'Export a PSBT first, then import the signed one.',
  },
  PSBT_INVALID: {
    meaning: 'The PSBT does not decode or is out of size bounds.',
    action: 'Pass the file the signer wrote.',
  },
  PSBT_MISMATCH: {
    meaning: 'The signed PSBT is not the one exported (other inputs, outputs or checkpoint).',
    action: 'Sign the PSBT that was exported, unchanged.',
  },
  PSBT_UNSIGNED: {
    meaning: 'An input of the PSBT has no usable signature.',
    action: 'Sign every input with the funding key.',
  },
  PSBT_BAD_SIGNATURE: {
    meaning: 'A signature in the PSBT does not verify.',
    action: 'Sign again with the funding key.',
  },
  // Backends.
  BACKEND_UNAVAILABLE: {
    meaning: 'The backend cannot be reached or answered with a server error.',
    action: 'Retry later or configure another backend.',
  },
  BACKEND_BAD_RESPONSE: {
    meaning: 'The backend answered with something that is not its API.',
    action: 'Check the URL points at the right API (Esplora, Core RPC, Electrum).',
  },
  BACKEND_INCONSISTENT: {
    meaning:
      'The backend contradicted itself or the chain (a header of the wrong size or height, a branch that does not fold).',
    action: 'Use another backend; do not trust this one.',
  },
  TIMEOUT: {
    meaning: 'A request to a backend took longer than its timeout.',
    action: 'Retry later or raise timeoutMs.',
  },
  NOT_FOUND: {
    meaning: 'The backend does not know the block, transaction or height.',
    action: 'Check the id; for Core, run the node with -txindex to look up confirmed transactions.',
  },
  NOT_CONFIRMED: {
    meaning: 'The transaction is not confirmed yet.',
    action: 'Wait for a block and ask again.',
  },
  NOT_SUPPORTED: {
    meaning:
      'The backend cannot do this (e.g. locate a transaction without outputs or inputs over Electrum).',
    action: 'Use a backend that can (Esplora or Core RPC).',
  },
  BROADCAST_UNKNOWN: {
    meaning: 'A broadcast may or may not have reached the network.',
    action: 'Check the txid with txStatus before sending again.',
  },
  TX_REJECTED: {
    meaning: 'The network refused the transaction (policy, fee, script).',
    action: 'Fix what the reason names and build the transaction again.',
  },
  TX_CONFLICT: {
    meaning: 'An input of the transaction is missing or already spent.',
    action: 'Build from unspent outputs, or replace the other transaction.',
  },
  TX_DESERIALIZATION: {
    meaning: 'The transaction bytes do not decode (at the node or here).',
    action: 'Check the raw bytes.',
  },
  INVALID_URL: {
    meaning: 'A backend URL is not an http(s) URL, or carries credentials.',
    action: 'Pass a URL such as https://blockstream.info/api; credentials go in their own options.',
  },
  INVALID_OPTIONS: {
    meaning: 'Backend options are missing or contradictory.',
    action: 'Fix the option the message names.',
  },
  INVALID_COOKIE: {
    meaning: 'A Bitcoin Core RPC cookie does not look like `__cookie__:<hex>`.',
    action: "Pass the content of the node's .cookie file.",
  },
  COOKIE_UNREADABLE: {
    meaning: 'The RPC cookie file cannot be read.',
    action:
      'Check the path (`<datadir>/<network>/.cookie`), that the node runs, and that this user may read it.',
  },
  RPC_ERROR: {
    meaning:
      'The node answered a JSON-RPC call with an error (details.rpcCode, details.rpcMessage).',
    action: "Read the node's message; it names the fault.",
  },
  RPC_BAD_RESPONSE: {
    meaning: 'An HTTP answer carried no JSON-RPC answer.',
    action: "Check the URL points at the node's RPC port.",
  },
  RPC_TIMEOUT: {
    meaning: 'The node did not answer a JSON-RPC call within the timeout.',
    action: 'Check that the node is up and not overloaded, or raise timeoutMs.',
  },
  RPC_UNREACHABLE: {
    meaning: 'The JSON-RPC server cannot be reached.',
    action: 'Check the URL and that the node is running.',
  },
  RPC_UNAUTHORIZED: {
    meaning: 'The node refused the RPC credentials.',
    action: 'Check the user and password, or the cookie file.',
  },
  ELECTRUM_UNREACHABLE: {
    meaning: 'The Electrum server cannot be reached.',
    action: 'Check host and port, or use another server.',
  },
  ELECTRUM_DISCONNECTED: {
    meaning: 'The connection to the Electrum server dropped.',
    action: 'Retry: the request may be repeated.',
  },
  ELECTRUM_TIMEOUT: {
    meaning: 'The Electrum server did not answer in time.',
    action: 'Try another server, or raise timeoutMs.',
  },
  ELECTRUM_ERROR: {
    meaning: 'The Electrum server answered with an error.',
    action: "Read the server's message; it names the fault.",
  },
  ELECTRUM_CLOSED: {
    meaning: 'The Electrum client was closed.',
    action: 'Create a new client.',
  },
  TLS_UNTRUSTED: {
    meaning: "The server's TLS certificate is not trusted.",
    action: 'Pin its fingerprint (tls.fingerprint256) or pass its CA (tls.ca).',
  },
  TLS_PIN_MISMATCH: {
    meaning: "The server's certificate does not match the pinned fingerprint.",
    action: "Do not connect unless the server's certificate was legitimately replaced.",
  },
  INVALID_FINGERPRINT: {
    meaning: 'A TLS fingerprint is not a SHA-256 fingerprint in hex.',
    action: 'Pass the 32-byte SHA-256 certificate fingerprint as hex.',
  },
  // Bitcoin formats and networks.
  INVALID_HASH: {
    meaning: 'A txid or block hash is not 64 hex characters.',
    action: 'Pass the hash in display order as 64 hex characters.',
  },
  INVALID_HEIGHT: {
    meaning: 'A block height is negative, not an integer, or beyond the tip.',
    action: 'Pass a height from 0 to the tip.',
  },
  INVALID_HEADER: {
    meaning: 'A block header is not 80 bytes, or fails a check.',
    action: 'Fetch the header again, or from another backend.',
  },
  INVALID_BLOCK: {
    meaning: 'Block bytes do not decode.',
    action: 'Fetch the block again, or from another backend.',
  },
  INVALID_TRANSACTION: {
    meaning: 'Transaction bytes do not decode.',
    action: 'Fetch the transaction again, or check the raw bytes.',
  },
  INVALID_MERKLEBLOCK: {
    meaning: 'A BIP37 merkleblock is malformed.',
    action: 'Ask the node again.',
  },
  INVALID_TXOUTPROOF: {
    meaning: 'The bytes of gettxoutproof are malformed.',
    action: "Ask the node again, or read the branch from the block (merkleSource: 'block').",
  },
  INVALID_TX_COUNT: {
    meaning: "A block's transaction count is not a positive whole number.",
    action: 'Fetch the block facts again, or from another backend.',
  },
  INVALID_PROOF: {
    meaning: 'An anchor or SPV proof is not well formed.',
    action: 'See docs/spec/anchor-transaction.md; ask the issuer for the receipt again.',
  },
  INVALID_BITS: {
    meaning:
      'A compact target (nBits) is not an unsigned 32-bit value, or is negative or overflows.',
    action: 'Pass the nBits of a real header.',
  },
  INVALID_TARGET: {
    meaning: 'A target is outside [0, 2^256).',
    action: 'Pass a target in range.',
  },
  INVALID_SCHEDULE: {
    meaning: 'A difficulty schedule is malformed.',
    action: 'Use the bundled schedule, or rebuild yours with scripts/make-schedule.ts.',
  },
  INVALID_NETWORK: {
    meaning: 'Network parameters break a rule (prefixes, genesis, retarget).',
    action: 'Fix the field the message names in defineNetwork.',
  },
  UNKNOWN_NETWORK: {
    meaning: 'The network name is not known.',
    action: 'Use mainnet, testnet4, signet or regtest, or describe the network with defineNetwork.',
  },
  POW_NOT_FOUND: {
    meaning: 'No nonce meets the target while mining a devnet block.',
    action: 'Use an easier nBits for the devnet, or vary the timestamp.',
  },
  // The ledger, receipts and OpenTimestamps.
  LEDGER_CLOSED: {
    meaning: 'The ledger was closed.',
    action: 'Open it again.',
  },
  LEDGER_NOT_SEQUENCER: {
    meaning: 'Another process holds the sequencer lease and seals by its policy.',
    action: 'Wait for it, or stop it first.',
  },
  LEDGER_SEQUENCE_TIMEOUT: {
    meaning: 'No sequencer integrated the record in time.',
    action: 'Check that a ledger with a sequencer loop runs on this store.',
  },
  LEDGER_UNKNOWN_CHECKPOINT: {
    meaning: 'The ledger was asked to anchor a checkpoint it did not seal.',
    action: 'Anchor only checkpoints of this ledger.',
  },
  LEDGER_ANCHOR_STATE_CORRUPT: {
    meaning: "The ledger's anchor state in the store is damaged.",
    action: 'Restore the store from a backup.',
  },
  LEDGER_LEGAL_HOLD: {
    meaning: 'The record is under legal hold and cannot be forgotten; nothing was erased.',
    action: 'Lift the hold first, with the approval your retention policy requires.',
  },
  LEDGER_FORGET_UNSUPPORTED: {
    meaning:
      'A ledger on a journal (openLedger without a store) cannot forget a record; nothing was erased.',
    action:
      'Keep records that may have to be erased in a ledger on a store (openLedger({ store })), whose forget erases salts and digests.',
  },
  RECEIPT_STORE_UNREADABLE: {
    meaning: 'The receipt directory cannot be created or listed.',
    action: 'Check the path and its permissions.',
  },
  OTS_INVALID: {
    meaning: 'An OpenTimestamps proof is malformed.',
    action: 'Use an intact .ots file.',
  },
  OTS_UNSUPPORTED: {
    meaning: 'The proof or receipt uses something the .ots mapping does not carry.',
    action:
      'Export the receipt issued for the anchored checkpoint; the message says what is missing.',
  },
  OTS_ANCHOR_MISMATCH: {
    meaning: 'The anchor transaction does not contain the checkpoint digest.',
    action: 'Export the receipt with its own anchor.',
  },
  // OpenTimestamps calendars (a second attestation).
  OTS_CALENDAR_UNREACHABLE: {
    meaning:
      'An OpenTimestamps calendar could not be reached; the receipt keeps its other anchors.',
    action: 'Retry later (stamp or upgrade again), or check the calendar URL.',
  },
  OTS_CALENDAR_TIMEOUT: {
    meaning: 'An OpenTimestamps calendar did not answer in time; nothing was kept from it.',
    action: 'Retry later, or raise timeoutMs.',
  },
  OTS_CALENDAR_ANSWER_INVALID: {
    meaning:
      'A calendar answered garbage, too much, another status, or an attestation that does not lead to the digest (its block); nothing was kept from it.',
    action: 'Use another calendar; the message says what was wrong with the answer.',
  },
  // Witnesses of the ledger.
  WITNESS_CONFIG_INVALID: {
    meaning: 'A witness entry of the configuration is malformed (URL, key, quorum).',
    action: 'Fix the entry the message names; witness keys are cosignature/v1 (type 0x04) vkeys.',
  },
  WITNESS_UNREACHABLE: {
    meaning: 'A witness could not be reached.',
    action: 'Retry later, or check the witness URL.',
  },
  WITNESS_REFUSED: {
    meaning: 'A witness refused to cosign the checkpoint.',
    action: 'Read the reason; a witness that saw a fork refuses by design.',
  },
  WITNESS_AHEAD: {
    meaning: 'A witness has cosigned a larger tree of this log than the ledger has.',
    action: 'Investigate: the log lost leaves or is forked; restore it from a backup.',
  },
} as const satisfies ErrorCatalogue;

/** A code of {@link CHAIN_ERROR_CODES}. */
export type ChainErrorCode = keyof typeof CHAIN_ERROR_CODES;

declare module '@medanchor/core' {
  interface MedanchorErrorCodes extends ErrorCodesOf<typeof CHAIN_ERROR_CODES> {}
}
