import { isMedanchorError } from '@medanchor/core';
import { describeError } from './output.js';

/** An anchor whose backend proof was refused in this command: the receipts kept what they had. */
export interface RefusedProof {
  /** Checkpoint digest (hex). */
  checkpoint: string;
  /** The verification step the backend's proof failed at (`merkle-root`, `height`, `reorg`, ...). */
  step: string;
  /** The refusal, as `CODE: message` (no record content: only hashes, heights, the backend). */
  reason: string;
}

/**
 * Collects the ledger's errors during a command: refused anchor proofs by checkpoint (the
 * last one of each wins), everything else apart so the command can warn about it.
 */
export class RefusedProofs {
  private readonly byCheckpoint = new Map<string, RefusedProof>();
  /** Errors other than refused proofs, in the order they came. */
  readonly others: unknown[] = [];

  /** Pass as the workspace's `onError`. */
  readonly onError = (error: unknown): void => {
    if (!isMedanchorError(error, 'ANCHOR_PROOF_REFUSED')) {
      this.others.push(error);
      return;
    }
    const { digest, step } = error.details;
    if (typeof digest !== 'string') {
      this.others.push(error);
      return;
    }
    this.byCheckpoint.set(digest, {
      checkpoint: digest,
      step: typeof step === 'string' && step !== '' ? step : 'proof',
      reason: describeError(error),
    });
  };

  /** Forgets what was collected (a new round of `upgrade --wait`). */
  clear(): void {
    this.byCheckpoint.clear();
    this.others.length = 0;
  }

  /** The refused proofs, one per checkpoint. */
  list(): RefusedProof[] {
    return [...this.byCheckpoint.values()];
  }
}

/** One line of text per refused proof. */
export function describeRefused(r: RefusedProof): string {
  return `checkpoint ${r.checkpoint.slice(0, 16)}...: the backend's proof was refused at ${r.step}, its receipts were kept as they were (${r.reason})`;
}
