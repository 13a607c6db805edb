// Run by worker-exit.test.ts in its own process: seals enough records to start the
// thread that makes ephemeral keys ahead, opens them, prints one JSON line, and then
// simply ends. The process must exit by itself: the thread may not keep it alive.

import { equalBytes } from '@medanchor/core';
import { open, seal } from '../../src/envelope/index.js';
import { x25519PoolRunning } from '../../src/hpke/ephemeral-worker.js';
import { generateX25519KeyPair } from '../../src/hpke/kem.js';

const k = await generateX25519KeyPair();
const context = { recordId: 'exit', version: '1', contentType: 'text/plain' };
let opened = 0;
for (let i = 0; i < 64; i++) {
  const pt = new Uint8Array(100).fill(i);
  const env = await seal(pt, { recipients: [k.publicKey], context });
  if (equalBytes((await open(env, k.privateKey)).payload, pt)) opened++;
}
// Give the thread time to post its first pairs, then seal a few more with them.
await new Promise((resolve) => setTimeout(resolve, 200));
for (let i = 0; i < 8; i++) {
  const env = await seal(new Uint8Array(1), { recipients: [k.publicKey], context });
  if ((await open(env, k.privateKey)).payload.length === 1) opened++;
}
console.log(JSON.stringify({ opened, poolRunning: x25519PoolRunning() }));
