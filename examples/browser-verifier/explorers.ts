// The block explorers the page offers for the Bitcoin check, per network. Each is an
// Esplora API run by a different operator; asking two and requiring both to agree means
// no single explorer has to be trusted. None is asked until the user ticks it.

/** A block explorer's Esplora API that the page may ask. */
export interface Explorer {
  /** Who runs it, as shown in the list. */
  label: string;
  /** Base URL of its Esplora API (no trailing slash). */
  url: string;
}

/** Public explorers by network name (as receipts name networks). Regtest has none. */
export const PUBLIC_EXPLORERS: Readonly<Record<string, readonly Explorer[]>> = {
  mainnet: [
    { label: 'Blockstream', url: 'https://blockstream.info/api' },
    { label: 'mempool.space', url: 'https://mempool.space/api' },
  ],
  testnet4: [{ label: 'mempool.space (testnet4)', url: 'https://mempool.space/testnet4/api' }],
  signet: [
    { label: 'Blockstream (signet)', url: 'https://blockstream.info/signet/api' },
    { label: 'mempool.space (signet)', url: 'https://mempool.space/signet/api' },
  ],
  regtest: [],
};

/** The explorers to list for `network`: its public ones, then those the user added. */
export function explorersFor(network: string, added: readonly Explorer[]): Explorer[] {
  const seen = new Set<string>();
  return [...(PUBLIC_EXPLORERS[network] ?? []), ...added].filter((e) => {
    if (seen.has(e.url)) return false;
    seen.add(e.url);
    return true;
  });
}

/**
 * An explorer from a URL the user typed, or why it cannot be used.
 * The page may only call http(s) APIs; a trailing slash is dropped.
 */
export function explorerFromUrl(text: string): Explorer | { error: string } {
  let u: URL;
  try {
    u = new URL(text.trim());
  } catch {
    return { error: 'that is not a web address (e.g. https://blockstream.info/api)' };
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    return { error: 'the address must start with https:// (or http:// for one on this computer)' };
  const url = u.href.replace(/\/+$/, '');
  return { label: u.host, url };
}
