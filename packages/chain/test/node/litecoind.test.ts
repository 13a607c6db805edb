// The litecoind harness itself: it really starts a regtest node, and it always cleans
// up, even when the node stops answering.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { litecoindPath, startLitecoind } from './litecoind.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe.skipIf(!litecoindPath())('startLitecoind', () => {
  it('runs a regtest node on loopback with -txindex, and removes its datadir on stop', async () => {
    const node = await startLitecoind();
    try {
      const info = await node.rpc<{ chain: string; blocks: number }>('getblockchaininfo');
      expect(info.chain).toBe('regtest');
      const indexes = await node.rpc<Record<string, { synced: boolean }>>('getindexinfo');
      expect(Object.keys(indexes)).toContain('txindex');
      expect(new URL(node.url).hostname).toBe('127.0.0.1');
      expect(existsSync(node.cookiePath)).toBe(true);
    } finally {
      await node.stop();
    }
    expect(existsSync(node.datadir)).toBe(false);
    expect(alive(node.pid)).toBe(false);
  });

  it('kills a node that no longer answers (SIGSTOP) and still removes the datadir', async () => {
    const node = await startLitecoind();
    process.kill(node.pid, 'SIGSTOP');
    await node.stop({ graceMs: 500 });
    expect(alive(node.pid)).toBe(false);
    expect(existsSync(node.datadir)).toBe(false);
  });
});
