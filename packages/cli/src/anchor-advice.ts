// What to do when a checkpoint could not be anchored, chosen by why: "fund the wallet" is
// only right when funds are missing, not when the backend is down.

/**
 * Advice for an anchoring failure recorded as `"<CODE>: <message>"` (the ledger's
 * `lastError`), naming the command to run next.
 */
export function anchorAdvice(lastError: string | undefined, address: string | undefined): string {
  const code = lastError?.split(':', 1)[0]?.trim() ?? '';
  const why = lastError === undefined ? 'reason unknown' : lastError;
  if (code === 'INSUFFICIENT_FUNDS')
    return `not anchored yet: the wallet cannot pay the fee (${why}); fund ${address ?? 'the funding address (`medanchor init` printed it)'} (a local \`medanchor devnet\` funds it when it starts) and run \`medanchor anchor\``;
  if (code === 'FUNDS_UNCONFIRMED')
    return `not anchored yet: the wallet's coins are not confirmed yet (${why}); wait for a block, then run \`medanchor anchor\``;
  if (code === 'BACKEND_UNAVAILABLE' || code === 'TIMEOUT')
    return `not anchored yet: the Bitcoin backend did not answer (${why}); start it (for a local chain, \`medanchor devnet\` in another terminal) or check "backend" in the config, then run \`medanchor anchor\``;
  return `not anchored yet (${why}); run \`medanchor anchor\` to try again`;
}
