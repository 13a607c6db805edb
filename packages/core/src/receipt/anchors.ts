import { MedanchorError } from '../errors.js';
import type { Checkpoint } from './checkpoint.js';
import type { Receipt, ReceiptAnchor } from './receipt.js';

/** What an anchor verifier is told about the checkpoint it must find anchored. */
export interface AnchorContext {
  /** The anchored checkpoint (`carry.checkpoint` if the receipt was carried, else `checkpoint`). */
  readonly checkpoint: Checkpoint;
  /** Its 32-byte tagged digest: the value the anchor must commit to. */
  readonly digest: Uint8Array;
  /** The whole receipt, already verified at level 1. */
  readonly receipt: Receipt;
}

/** Outcome of one anchor check. Verifiers return failures, they do not throw. */
export type AnchorOutcome =
  | {
      readonly ok: true;
      /**
       * Verification level reached: 2 (SPV) or 3 (chain); 1 for an attestation that is valid
       * but proves no time yet (a pending calendar attestation).
       */
      readonly level: number;
      /** Non-secret facts for display (block height, time, confirmations...). */
      readonly details?: Readonly<Record<string, unknown>>;
    }
  | {
      readonly ok: false;
      /** Why, starting with the failing step (`"<step>: ..."`). */
      readonly reason: string;
      /**
       * True when the check could not be made (a backend unreachable, data missing) rather
       * than refuted: the proof may still be good.
       */
      readonly undetermined?: boolean;
      /** Non-secret facts established before the failure (e.g. what level 2 showed). */
      readonly details?: Readonly<Record<string, unknown>>;
    };

/**
 * Verifies anchors of one `type`. Packages that create anchors (e.g. `@medanchor/chain`)
 * export a verifier; callers pass it to `verifyReceipt` explicitly.
 */
export interface AnchorVerifier {
  /** The anchor type this verifier handles, e.g. `"bitcoin"`. */
  readonly type: string;
  /** Checks that `anchor` commits to `context.digest`. */
  verify(anchor: ReceiptAnchor, context: AnchorContext): AnchorOutcome | Promise<AnchorOutcome>;
}

/** A set of anchor verifiers keyed by type. Built explicitly: nothing registers itself. */
export interface AnchorRegistry {
  /**
   * Adds a verifier.
   * @throws {@link MedanchorError} `ANCHOR_VERIFIER_EXISTS` if one is registered for its type.
   */
  register(verifier: AnchorVerifier): AnchorRegistry;
  /** The verifier for `type`, if any. */
  get(type: string): AnchorVerifier | undefined;
  /** Registered types, sorted. */
  types(): string[];
}

/**
 * A new registry holding `verifiers`.
 *
 * @example
 * ```ts
 * const anchors = createAnchorRegistry([bitcoinAnchorVerifier({ backend })]);
 * const result = await verifyReceipt(receipt, { anchors });
 * ```
 */
export function createAnchorRegistry(verifiers: Iterable<AnchorVerifier> = []): AnchorRegistry {
  const byType = new Map<string, AnchorVerifier>();
  const registry: AnchorRegistry = {
    register(verifier) {
      if (byType.has(verifier.type)) {
        throw new MedanchorError(
          'ANCHOR_VERIFIER_EXISTS',
          `an anchor verifier for type "${verifier.type}" is already registered: register one per type`,
          { details: { type: verifier.type } },
        );
      }
      byType.set(verifier.type, verifier);
      return registry;
    },
    get: (type) => byType.get(type),
    types: () => [...byType.keys()].sort(),
  };
  for (const v of verifiers) registry.register(v);
  return registry;
}
