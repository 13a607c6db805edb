// A port for a server that binds it later (PostgreSQL, litecoind, a restart on the same
// port). A port from listen(0) is in the kernel's ephemeral range, where every other
// listen(0) of the suite and every outgoing connection also draws: between our check and
// the later bind, one of them may take it. A port below that range is never handed out by
// the kernel, so only another explicit pick could collide.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

const LOWEST = 10_000;

/** The first port of the kernel's ephemeral range (Linux's file; 32768 elsewhere). */
export function ephemeralStart(): number {
  try {
    const first = Number(
      readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').split(/\s+/)[0],
    );
    if (Number.isInteger(first) && first > LOWEST + 1_000) return first;
  } catch {}
  return 32_768;
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.unref();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/**
 * A TCP port on 127.0.0.1 that is free now and outside the ephemeral range, so it stays
 * free for a server started (or restarted) on it later.
 */
export async function freePort(): Promise<number> {
  const span = ephemeralStart() - LOWEST;
  for (let tries = 0; tries < 200; tries++) {
    const port = LOWEST + Math.floor(Math.random() * span);
    if (await isFree(port)) return port;
  }
  throw new Error(`no free port between ${LOWEST} and ${LOWEST + span}`);
}
