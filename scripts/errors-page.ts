// Writes docs/errors.md from the error catalogues of the packages, so the page lists
// exactly the codes the type checker accepts. Run `pnpm docs:errors` after changing a
// catalogue; test/repo/errors-page.test.ts fails while the page is stale.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CHAIN_ERROR_CODES } from '../packages/chain/src/error-codes.js';
import { CLI_ERROR_CODES } from '../packages/cli/src/error-codes.js';
import { CORE_ERROR_CODES } from '../packages/core/src/error-codes.js';
import type { ErrorCatalogue } from '../packages/core/src/errors.js';
import { CRYPTO_ERROR_CODES } from '../packages/crypto/src/error-codes.js';
import { FHIR_ERROR_CODES } from '../packages/fhir/src/error-codes.js';
import { POSTGRES_ERROR_CODES } from '../packages/postgres/src/error-codes.js';
import { SERVER_ERROR_CODES } from '../packages/server/src/error-codes.js';

/** Every package's catalogue, in the order of the dependency graph (core first). */
export const CATALOGUES: ReadonlyArray<{ pkg: string; constName: string; codes: ErrorCatalogue }> =
  [
    { pkg: '@medanchor/core', constName: 'CORE_ERROR_CODES', codes: CORE_ERROR_CODES },
    { pkg: '@medanchor/crypto', constName: 'CRYPTO_ERROR_CODES', codes: CRYPTO_ERROR_CODES },
    { pkg: '@medanchor/chain', constName: 'CHAIN_ERROR_CODES', codes: CHAIN_ERROR_CODES },
    { pkg: '@medanchor/postgres', constName: 'POSTGRES_ERROR_CODES', codes: POSTGRES_ERROR_CODES },
    { pkg: '@medanchor/server', constName: 'SERVER_ERROR_CODES', codes: SERVER_ERROR_CODES },
    { pkg: '@medanchor/fhir', constName: 'FHIR_ERROR_CODES', codes: FHIR_ERROR_CODES },
    { pkg: '@medanchor/cli', constName: 'CLI_ERROR_CODES', codes: CLI_ERROR_CODES },
  ];

// Biome formats Markdown tables with padded cells; writing them that way keeps
// `biome check` and this generator agreeing on every byte.
function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(3, ...rows.map((r) => r[c]!.length)));
  const line = (r: string[]) => `| ${r.map((cell, c) => cell.padEnd(widths[c]!)).join(' | ')} |`;
  return [
    line(rows[0]!),
    `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`,
    ...rows.slice(1).map(line),
  ];
}

function cell(text: string): string {
  return text.replaceAll('|', '\\|');
}

/** The text of docs/errors.md. */
export function renderErrorsPage(): string {
  const total = CATALOGUES.reduce((n, c) => n + Object.keys(c.codes).length, 0);
  const out = [
    '# Error codes',
    '',
    'Every failure a caller can cause is a `MedanchorError` with a stable `code`, a message that',
    'says what to do, and `details` with non-secret facts. Codes never change meaning between',
    'versions: switch on them with `isMedanchorError(e, code)`. Codes are typed: a throw or a test',
    'of a code that no catalogue lists does not compile.',
    '',
    `This page lists all ${total} codes, by the package that declares them; the general codes for`,
    'bad arguments (`INVALID_ARGUMENT`, `INVALID_LENGTH`, ...) are declared by core and used by',
    'every package. Each package exports its catalogue (for example `CHAIN_ERROR_CODES`) with the',
    'same text. The page is generated from the catalogues (`pnpm docs:errors`); a test fails when',
    'it is stale.',
    '',
    'Verification does not throw on bad proofs: it returns a result naming the failing step.',
    'These codes are for calls that cannot go on.',
  ];
  for (const { pkg, constName, codes } of CATALOGUES) {
    const rows = Object.entries(codes)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([code, e]) => [`\`${code}\``, cell(e.meaning), cell(e.action)]);
    out.push(
      '',
      `## ${pkg}`,
      '',
      `${rows.length} codes, exported as \`${constName}\`.`,
      '',
      ...table([['code', 'meaning', 'what to do'], ...rows]),
    );
  }
  return `${out.join('\n')}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const path = fileURLToPath(new URL('../docs/errors.md', import.meta.url));
  writeFileSync(path, renderErrorsPage());
  console.log(`wrote ${path}`);
}
