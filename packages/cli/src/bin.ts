import { processIo } from './io.js';
import { runCli } from './run.js';

// Ctrl-C and SIGTERM stop long-running commands (devnet, upgrade --wait) cleanly; a
// second signal exits at once.
const controller = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    controller.abort();
    process.once(signal, () => process.exit(130));
  });
}
const status = await runCli(process.argv.slice(2), processIo(controller.signal));
// Backends may hold sockets open (Electrum): exit once output is flushed.
process.stdout.write('', () => process.exit(status));
