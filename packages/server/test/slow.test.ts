import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type Running, startServer, TOKEN } from './helpers.js';

let running: Running | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

describe('slow requests', () => {
  it('cuts a request whose body never finishes arriving, and stores nothing', async () => {
    running = await startServer({ limits: { requestTimeoutMs: 1000 } });
    const { port } = new URL(running.url);
    const started = performance.now();
    const answer = await new Promise<string>((resolve) => {
      const s = connect(Number(port), '127.0.0.1');
      let out = '';
      s.on('data', (d) => {
        out += d.toString();
      });
      s.on('close', () => resolve(out));
      // Headers announce 1000 bytes; only a few ever come.
      s.write(
        `POST /add HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nAuthorization: Bearer ${TOKEN}\r\nContent-Length: 1000\r\n\r\n{"rec`,
      );
    });
    expect(answer.split('\r\n')[0]).toBe('HTTP/1.1 408 Request Timeout');
    expect(performance.now() - started).toBeLessThan(20_000);
    expect(await running.store.pendingCount()).toBe(0);
    expect((await fetch(`${running.url}/healthz`)).status).toBe(200);
  });
});
