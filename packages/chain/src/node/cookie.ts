import { readFile } from 'node:fs/promises';
import { MedanchorError } from '@medanchor/core';

/**
 * A function that reads a Bitcoin Core `.cookie` file, for `coreRpcBackend({ url,
 * cookie })`. The backend calls it on first use and again when the node answers 401
 * (the node writes a new cookie on each restart). The cookie is a secret: it is never
 * put into errors.
 *
 * @example
 * ```ts
 * const backend = coreRpcBackend({
 *   url: 'http://127.0.0.1:18443/',
 *   cookie: coreCookieFile('/home/me/.bitcoin/regtest/.cookie'),
 * });
 * ```
 */
export function coreCookieFile(path: string): () => Promise<string> {
  return async () => {
    try {
      return await readFile(path, 'utf8');
    } catch (cause) {
      throw new MedanchorError(
        'COOKIE_UNREADABLE',
        'could not read the RPC cookie file; check the path (<datadir>/<network>/.cookie), that the node is running and that this user may read it',
        { cause, details: { path } },
      );
    }
  };
}
