// A devnet with a funded anchoring key, an anchorer and a verifier: the setup every
// example shares. On a real network, swap `createDevnet()` for `esploraBackend({ url })`
// or `coreRpcBackend(...)` and use a real, secret funding key.
import {
  type Anchorer,
  bitcoinAnchorVerifier,
  createAnchorer,
  type FundingKey,
  fundingKeyFromSecret,
  memoryAnchorStateStore,
  regtest,
} from '@medanchor/chain';
import { createDevnet, type Devnet } from '@medanchor/chain/devnet';
import { type AnchorVerifier, sha256, utf8 } from '@medanchor/core';

export interface DevAnchoring {
  devnet: Devnet;
  anchorer: Anchorer;
  /** The funded key, for a store-backed ledger that makes its own anchorer. */
  key: FundingKey;
  /** Verifies Bitcoin anchors down to 6 confirmations in devnet's best chain. */
  verifier: AnchorVerifier;
}

export async function devAnchoring(label: string): Promise<DevAnchoring> {
  const devnet = createDevnet({ seed: label });
  const key = fundingKeyFromSecret(
    sha256(utf8(`example key ${label}: not for real funds`)),
    'p2tr',
    regtest,
  );
  await devnet.test.mine(2, key.script);
  await devnet.test.mine(100);
  const anchorer = await createAnchorer({
    backend: devnet,
    network: regtest,
    key,
    state: memoryAnchorStateStore(),
    fee: { minSatPerVb: 1, maxSatPerVb: 25 },
  });
  const verifier = bitcoinAnchorVerifier({
    network: regtest,
    backends: [devnet],
    minConfirmations: 6,
  });
  return { devnet, anchorer, key, verifier };
}
