import { toHex } from '@medanchor/core';
import type { CoreRpcBackend } from '../backend/core-rpc-options.js';
import { hashFromDisplayHex } from '../bitcoin/hash.js';
import type { TestCapabilities } from './types.js';

function assertBlockHash(hash: string): void {
  hashFromDisplayHex(hash, 'block hash');
}

/**
 * Mining and block invalidation on a Bitcoin Core (or litecoind) regtest node, through
 * the backend's `rpc`: `generatetodescriptor`, `invalidateblock`, `reconsiderblock`.
 * They live here, apart from {@link CoreRpcBackend}, so a production backend never
 * carries a way to invalidate blocks. Point it only at a regtest node.
 *
 * @param timeoutMs - Timeout of one mining call in ms (default 120 000: mining a hundred
 *   blocks is slow on a loaded machine).
 */
export function regtestControls(backend: CoreRpcBackend, timeoutMs = 120_000): TestCapabilities {
  return {
    async mine(n: number, script?: Uint8Array): Promise<string[]> {
      // Without a script, pay a random P2WSH nobody can spend: a fresh script per call
      // also keeps a block mined after invalidateblock from repeating the invalid one.
      const throwaway = () => `0020${toHex(globalThis.crypto.getRandomValues(new Uint8Array(32)))}`;
      const descriptor = `raw(${script === undefined ? throwaway() : toHex(script)})`;
      return await backend.rpc<string[]>('generatetodescriptor', [n, descriptor], {
        idempotent: false,
        timeoutMs,
      });
    },
    async invalidateBlock(hash: string): Promise<void> {
      assertBlockHash(hash);
      await backend.rpc('invalidateblock', [hash]);
    },
    async reconsiderBlock(hash: string): Promise<void> {
      assertBlockHash(hash);
      await backend.rpc('reconsiderblock', [hash]);
    },
  };
}
