/**
 * @medanchor/chain: anchoring checkpoints on Bitcoin, SPV proofs and pluggable backends.
 *
 * @packageDocumentation
 */
export const CHAIN_PACKAGE = '@medanchor/chain';
