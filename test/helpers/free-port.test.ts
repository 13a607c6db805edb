import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ephemeralStart, freePort } from './free-port.js';

describe('freePort', () => {
  it('gives ports below the ephemeral range that a server can then bind', async () => {
    const start = ephemeralStart();
    for (let i = 0; i < 20; i++) {
      const port = await freePort();
      expect(port).toBeGreaterThanOrEqual(10_000);
      expect(port).toBeLessThan(start);
      const s = createServer();
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.listen(port, '127.0.0.1', resolve);
      });
      await new Promise<void>((resolve) => s.close(() => resolve()));
    }
  });

  it('never gives a port a listen(0) could be handed (the kernel picks those from its range)', async () => {
    const s = createServer();
    await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
    const { port } = s.address() as { port: number };
    await new Promise<void>((resolve) => s.close(() => resolve()));
    expect(port).toBeGreaterThanOrEqual(ephemeralStart());
  });
});
