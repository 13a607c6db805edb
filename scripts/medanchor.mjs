// `pnpm medanchor <args>` (or `npm run medanchor -- <args>`) from a checkout: runs the
// CLI from its TypeScript sources with tsx, so nothing has to be built or installed
// globally. Package-manager scripts run in the repository root; the CLI runs in the
// directory the command was typed in (INIT_CWD), where its files and config are.
import { spawn } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const tsx = pathToFileURL(`${root}node_modules/tsx/dist/esm/index.mjs`).href;
const child = spawn(
  process.execPath,
  ['--import', tsx, `${root}packages/cli/src/bin.ts`, ...process.argv.slice(2)],
  {
    cwd: process.env.INIT_CWD ?? process.cwd(),
    stdio: 'inherit',
    env: { ...process.env, TSX_TSCONFIG_PATH: `${root}tsconfig.json` },
  },
);
// Ctrl-C reaches the CLI too (same process group); it stops cleanly and we pass on its status.
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => {});
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 130 : 1)));
