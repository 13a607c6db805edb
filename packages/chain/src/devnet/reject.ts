import { MedanchorError } from '@medanchor/core';

/**
 * A mempool rejection: `code` is the Backend contract's typed code (`TX_REJECTED`,
 * `TX_CONFLICT`, `TX_DESERIALIZATION`), `reason` the short token Bitcoin Core would
 * use (`min relay fee not met`, `dust`, ...), kept in `details.reason` so the Esplora
 * server can pass it on and clients can map it back.
 */
export function rejectTx(
  code: 'TX_REJECTED' | 'TX_CONFLICT' | 'TX_DESERIALIZATION',
  reason: string,
  advice: string,
  details: Record<string, string | number | boolean | bigint | null> = {},
): MedanchorError {
  return new MedanchorError(code, `transaction rejected (${reason}): ${advice}`, {
    details: { reason, ...details },
  });
}
