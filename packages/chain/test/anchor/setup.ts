// Shared setup of the anchor tests: a seeded devnet and a funding key whose coins
// come from real mined coinbases (matured by 100 more blocks).
import { sha256, utf8 } from '@medanchor/core';
import {
  type AnchorEvent,
  type Anchorer,
  type AnchorerOptions,
  createAnchorer,
  type FundingKey,
  type FundingKeyType,
  fundingKeyFromSecret,
  memoryAnchorStateStore,
} from '../../src/anchor/index.js';
import { createDevnet, type Devnet } from '../../src/devnet/index.js';
import { regtest } from '../../src/network/index.js';

export function testFundingKey(label: string, type: FundingKeyType): FundingKey {
  return fundingKeyFromSecret(sha256(utf8(`medanchor anchor test ${label}`)), type, regtest, {
    schnorrAuxRand: 'zero',
  });
}

/** A devnet where `key` owns `coins` mature 50 BTC coinbase outputs. */
export async function fundedDevnet(
  key: FundingKey,
  coins = 3,
  options: Parameters<typeof createDevnet>[0] = {},
): Promise<Devnet> {
  const devnet = createDevnet({ seed: 'anchor tests', ...options });
  await devnet.test.mine(coins, key.script);
  await devnet.test.mine(100);
  return devnet;
}

export interface TestAnchorer {
  anchorer: Anchorer;
  events: AnchorEvent[];
}

export async function testAnchorer(
  devnet: Devnet,
  key: FundingKey,
  overrides: Partial<AnchorerOptions> = {},
): Promise<TestAnchorer> {
  const events: AnchorEvent[] = [];
  const anchorer = await createAnchorer({
    backend: devnet,
    network: regtest,
    key,
    state: memoryAnchorStateStore(),
    fee: { minSatPerVb: 1, maxSatPerVb: 50 },
    onEvent: (e) => {
      events.push(e);
    },
    ...overrides,
  });
  return { anchorer, events };
}

export function digestOf(label: string): Uint8Array {
  return sha256(utf8(`checkpoint ${label}`));
}
