// The load generator of `pnpm bench server`, run by bench/sections/server.ts in its own
// process so that the server under test has its event loop to itself. It takes one JSON
// argument and prints one JSON line with what autocannon counted and the CPU seconds
// this process spent meanwhile (clientCpu).
//
//   {"url", "kind": "tiles", "paths": [...], "connections", "seconds"}
//   {"url", "kind": "submit", "token", "batch", "connections", "seconds"}
import { createHash } from 'node:crypto';
import autocannon from 'autocannon';

const spec = JSON.parse(process.argv[2] ?? '{}');

let next = 0;
/** A body of `spec.batch` fresh digests, so no submission is a duplicate. */
function batchBody() {
  const records = [];
  for (let i = 0; i < spec.batch; i++) {
    const digest = createHash('sha256').update(`bench load ${next++}`).digest('hex');
    records.push({ digest });
  }
  return JSON.stringify({ records });
}

const requests =
  spec.kind === 'tiles'
    ? spec.paths.map((path) => ({ method: 'GET', path }))
    : [
        {
          method: 'POST',
          path: '/add',
          headers: {
            'content-type': 'application/json',
            authorization: `Bearer ${spec.token}`,
          },
          setupRequest: (req) => ({ ...req, body: batchBody() }),
        },
      ];

const cpu0 = process.cpuUsage();
const result = await autocannon({
  url: spec.url,
  connections: spec.connections,
  duration: spec.seconds,
  requests,
});

const cpu = process.cpuUsage(cpu0);
process.stdout.write(
  `${JSON.stringify({
    ok: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    seconds: result.duration,
    clientCpu: (cpu.user + cpu.system) / 1e6,
    p50: result.latency.p50,
    p99: result.latency.p99,
  })}\n`,
);
