/**
 * @medanchor/cli: the `medanchor` command. Install it globally (`npm i -g @medanchor/cli`)
 * or run it with `npx @medanchor/cli`; `medanchor --help` lists the commands. The
 * programmatic entry {@link runCli} runs a command line with your own streams.
 *
 * @packageDocumentation
 */

export type { BackendConfig, ConfigFile } from './config.js';
export { CLI_ERROR_CODES } from './error-codes.js';
export { EXIT_INVALID, EXIT_OK, EXIT_USAGE } from './exit-codes.js';
export { type CliIo, processIo } from './io.js';
export { CLI_VERSION, runCli } from './run.js';
