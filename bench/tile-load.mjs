// A lean keep-alive load generator for `pnpm bench server`, run in its own process like
// server-load.mjs. autocannon spends more CPU per request than the server does, and on a
// 2-core machine that CPU is taken from the server; this client does only what the
// measurement needs: raw node:net sockets, HTTP/1.1 requests pre-encoded once, `depth`
// requests in flight per connection (pipelining, RFC 9112 section 9.3.2; depth 1 is plain
// keep-alive), and a minimal response reader that checks every answer's status and
// Content-Length and skips its body without copying it.
//
// It takes one JSON argument and prints one JSON line:
//   in:  {"host", "port", "paths": [...], "bodyLength", "connections", "depth", "seconds"}
//        or with "requests" instead of "seconds": that many per connection, every answer
//        counted (for tests that compare counts with the server's)
//   out: {"ok", "non2xx", "errors", "seconds", "clientCpu", "p50", "p99"}   (CPU seconds of
//        this process while measuring; latencies in ms)
import { connect } from 'node:net';

const spec = JSON.parse(process.argv[2] ?? '{}');
const { host, port, paths, bodyLength, connections, depth, seconds } = spec;
const perConnection = spec.requests ?? Number.POSITIVE_INFINITY;

const requests = paths.map((p) =>
  Buffer.from(`GET ${p} HTTP/1.1\r\nHost: ${host}:${port}\r\nUser-Agent: medanchor-bench\r\n\r\n`),
);

// Latency histogram in 10 µs buckets up to 1 s (longer ones land in the last bucket).
const BUCKET_US = 10;
const histogram = new Uint32Array(100_000);
let ok = 0;
let non2xx = 0;
let errors = 0;
let measuring = true;

const CRLFCRLF = Buffer.from('\r\n\r\n');

/** Reads "Content-Length" out of a header block (latin1 text), or -1. */
function contentLength(head) {
  const lower = head.toLowerCase();
  const at = lower.indexOf('\r\ncontent-length:');
  if (at < 0) return -1;
  const end = lower.indexOf('\r\n', at + 2);
  const n = Number(lower.slice(at + 17, end < 0 ? undefined : end).trim());
  return Number.isSafeInteger(n) && n >= 0 ? n : -1;
}

function runConnection() {
  return new Promise((resolve) => {
    const socket = connect({ host, port, noDelay: true });
    // Send times of the requests in flight, oldest first (answers come back in order).
    const sent = new Float64Array(depth);
    let head = 0;
    let inFlight = 0;
    let nextPath = Math.floor(Math.random() * requests.length);
    let pending = Buffer.alloc(0); // an incomplete header block carried to the next chunk
    let bodyLeft = 0;
    let good = false; // the verdict on the answer whose body is being skipped
    let broken = false; // an error already counted for this connection

    let sentTotal = 0;
    const send = (wanted) => {
      const n = Math.min(wanted, perConnection - sentTotal);
      if (n <= 0) return;
      sentTotal += n;
      const out = [];
      const now = performance.now();
      for (let i = 0; i < n; i++) {
        out.push(requests[nextPath]);
        nextPath = nextPath + 1 === requests.length ? 0 : nextPath + 1;
        sent[(head + inFlight) % depth] = now;
        inFlight++;
      }
      socket.write(out.length === 1 ? out[0] : Buffer.concat(out));
    };

    // One complete answer: its latency, its verdict, and a free slot.
    let done = 0;
    const answered = (verdict) => {
      const us = (performance.now() - sent[head]) * 1000;
      head = (head + 1) % depth;
      inFlight--;
      done++;
      if (!measuring) return;
      if (verdict) ok++;
      histogram[Math.min(histogram.length - 1, Math.floor(us / BUCKET_US))]++;
    };

    socket.on('connect', () => send(depth));
    socket.on('data', (data) => {
      let chunk = data;
      if (pending.length > 0) {
        chunk = Buffer.concat([pending, data]);
        pending = Buffer.alloc(0);
      }
      done = 0;
      let at = 0;
      while (at < chunk.length) {
        if (bodyLeft > 0) {
          const take = Math.min(bodyLeft, chunk.length - at);
          bodyLeft -= take;
          at += take;
          if (bodyLeft === 0) answered(good);
          continue;
        }
        const end = chunk.indexOf(CRLFCRLF, at);
        if (end < 0) {
          // A header block split across reads: keep its start for the next one.
          pending = Buffer.from(chunk.subarray(at));
          break;
        }
        const text = chunk.toString('latin1', at, end + 2);
        const status = Number(text.slice(9, 12));
        const length = contentLength(text);
        at = end + 4;
        if (length < 0) {
          // Without a length the stream cannot be framed: count it and give up on it.
          if (measuring) errors++;
          broken = true;
          socket.destroy();
          return;
        }
        good = status === 200 && length === bodyLength;
        if (!good && measuring) {
          if (status < 200 || status > 299) non2xx++;
          else errors++;
        }
        if (length === 0) answered(good);
        else bodyLeft = length;
      }
      // Every complete answer frees a slot: refill them together in one write.
      if (measuring && done > 0) send(done);
      if (inFlight === 0 && (!measuring || sentTotal === perConnection)) socket.end();
    });
    socket.on('error', () => {
      broken = true;
      errors++;
      resolve();
    });
    socket.on('close', () => {
      // Closed by the server with requests unanswered: they count as errors, not as load.
      if (!broken && measuring && (inFlight > 0 || sentTotal < perConnection)) errors++;
      resolve();
    });
    stopHooks.push(() => {
      if (inFlight === 0) socket.end();
      // Otherwise the data handler ends it once the last answer is in.
      setTimeout(() => socket.destroy(), 2000).unref();
    });
  });
}

const stopHooks = [];
const t0 = performance.now();
const cpu0 = process.cpuUsage();
const all = Array.from({ length: connections }, runConnection);
if (spec.requests === undefined) await new Promise((r) => setTimeout(r, seconds * 1000));
else await Promise.all(all);
measuring = false;
const elapsed = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
for (const stop of stopHooks) stop();
await Promise.all(all);

function percentile(q) {
  const total = histogram.reduce((a, b) => a + b, 0);
  let seen = 0;
  for (let i = 0; i < histogram.length; i++) {
    seen += histogram[i];
    if (seen >= total * q) return ((i + 1) * BUCKET_US) / 1000;
  }
  return 0;
}

process.stdout.write(
  `${JSON.stringify({ ok, non2xx, errors, seconds: elapsed, clientCpu: (cpu.user + cpu.system) / 1e6, p50: percentile(0.5), p99: percentile(0.99) })}\n`,
);
