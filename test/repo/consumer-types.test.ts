import { execFile } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoPath } from '../helpers/vectors.js';

// What a TypeScript user of the published packages sees: each built package is packed with
// pnpm (which turns `workspace:*` into real versions), the tarballs are installed with npm in
// a blank project, and a program importing the entry points and subpaths is typechecked by the
// repository's TypeScript with `strict` and `skipLibCheck: false` under four settings.
// node10 (`moduleResolution: node`, TypeScript's legacy default for `module: commonjs`)
// ignores `exports`: the main entries resolve there (checked below), the subpaths
// (`@medanchor/core/node`, `chain/node`, `chain/verify`, `chain/devnet`, `chain/bitcoin`, `fhir/node`, `server/witness`, `server/calendar`) give TS2307; use node16,
// nodenext or bundler for those.

const ORDER = ['core', 'crypto', 'chain', 'postgres', 'fhir', 'server', 'cli'];
const PNPM = 'pnpm@10.34.9';

interface Manifest {
  name: string;
  dependencies?: Record<string, string>;
}

function manifest(name: string): Manifest {
  return JSON.parse(readFileSync(repoPath('packages', name, 'package.json'), 'utf8'));
}

/**
 * The packages a consumer can install from this checkout: built (dist has declarations) and
 * with every `@medanchor/*` dependency also included, else npm would look for it in the registry.
 */
function selectPackages(): { included: string[]; skipped: string[] } {
  const included: string[] = [];
  const skipped: string[] = [];
  for (const name of ORDER) {
    if (!existsSync(repoPath('packages', name, 'package.json'))) continue;
    if (!existsSync(repoPath('packages', name, 'dist', 'index.d.ts'))) {
      skipped.push(`@medanchor/${name}: no dist/index.d.ts (run \`pnpm build\`)`);
      continue;
    }
    const internal = Object.keys(manifest(name).dependencies ?? {})
      .filter((d) => d.startsWith('@medanchor/'))
      .map((d) => d.slice('@medanchor/'.length));
    const absent = internal.filter((d) => !included.includes(d));
    if (absent.length > 0) {
      skipped.push(
        `@medanchor/${name}: depends on unbuilt ${absent.map((d) => `@medanchor/${d}`).join(', ')}`,
      );
      continue;
    }
    included.push(name);
  }
  return { included, skipped };
}

function run(cmd: string, args: string[], cwd: string, timeout: number) {
  return new Promise<{ code: number; output: string }>((done) => {
    execFile(cmd, args, { cwd, timeout, maxBuffer: 32 * 1024 * 1024 }, (error, stdout, stderr) =>
      done({
        code: error ? (typeof error.code === 'number' ? error.code : 1) : 0,
        output: `${stdout}${stderr}${error && typeof error.code !== 'number' ? `\n${error.message}` : ''}`,
      }),
    );
  });
}

/** Uses of every included package, in syntax valid for both ESM and CommonJS sources. */
function program(included: string[]): string {
  const lines = [
    "import { EMPTY_ROOT, MedanchorError, isMedanchorError, toHex, verifyReceipt } from '@medanchor/core';",
    "import type { Receipt, ReceiptVerification } from '@medanchor/core';",
    "import { openFileLedgerStore } from '@medanchor/core/node';",
    "import type { FileLedgerStore } from '@medanchor/core/node';",
  ];
  const body = [
    'export const rootHex: string = toHex(EMPTY_ROOT);',
    'export function codeOf(e: unknown): string | undefined {',
    '  return isMedanchorError(e) ? e.code : e instanceof MedanchorError ? e.code : undefined;',
    '}',
    'export function check(receipt: Receipt): Promise<ReceiptVerification> {',
    '  return verifyReceipt(receipt);',
    '}',
    'export const openStore: (dir: string) => Promise<FileLedgerStore> = (dir) =>',
    "  openFileLedgerStore(dir, { origin: 'example.org/log' });",
    '// @ts-expect-error toHex takes bytes, not a string: declarations must not degrade to any',
    "toHex('00');",
  ];
  if (included.includes('crypto')) {
    lines.push("import type { ConsentGrant, FhirConsent } from '@medanchor/crypto';");
    body.push(
      "export const consent: FhirConsent = { resourceType: 'Consent', status: 'active' } as FhirConsent;",
      'export const grantee = (g: ConsentGrant): string => g.grantee;',
      '// @ts-expect-error the FHIR types are real types, not any',
      "export const notConsent: FhirConsent = { resourceType: 'Patient' };",
    );
  }
  if (included.includes('chain')) {
    lines.push(
      "import { bitcoinAnchorVerifier } from '@medanchor/chain/verify';",
      "import type { BitcoinAnchorVerifierOptions } from '@medanchor/chain/verify';",
      "import * as chain from '@medanchor/chain';",
      "import * as chainNode from '@medanchor/chain/node';",
      "import * as chainBitcoin from '@medanchor/chain/bitcoin';",
      "import { createDevnet, type Devnet } from '@medanchor/chain/devnet';",
    );
    body.push(
      'export const makeVerifier = (o: BitcoinAnchorVerifierOptions) => bitcoinAnchorVerifier(o);',
      'export const chainNames: string[] = [...Object.keys(chain), ...Object.keys(chainNode)];',
      'export const bitcoinNames: string[] = Object.keys(chainBitcoin);',
      "export const devnet: () => Devnet = () => createDevnet({ seed: 'types' });",
    );
  }
  if (included.includes('postgres')) {
    lines.push("import { isPostgresUrl } from '@medanchor/postgres';");
    body.push("export const pg: boolean = isPostgresUrl('postgres://localhost/x');");
  }
  if (included.includes('fhir')) {
    lines.push(
      "import * as fhir from '@medanchor/fhir';",
      "import * as fhirNode from '@medanchor/fhir/node';",
    );
    body.push(
      'export const fhirNames: string[] = [...Object.keys(fhir), ...Object.keys(fhirNode)];',
    );
  }
  if (included.includes('server')) {
    lines.push(
      "import * as server from '@medanchor/server';",
      "import { calendarRoutes } from '@medanchor/server/calendar';",
      "import { createWitness, type Witness } from '@medanchor/server/witness';",
    );
    body.push(
      'export const serverNames: string[] = Object.keys(server);',
      'export const witness: typeof createWitness = createWitness;',
      'export const calendar: typeof calendarRoutes = calendarRoutes;',
      'export type ServerWitness = Witness;',
    );
  }
  if (included.includes('cli')) {
    lines.push("import { CLI_VERSION, EXIT_OK } from '@medanchor/cli';");
    body.push('export const cli: [string, 0] = [CLI_VERSION, EXIT_OK];');
  }
  return `${lines.join('\n')}\n\n${body.join('\n')}\n`;
}

/** Main entries only, for node10: a namespace import of each package and a type use. */
function programNode10(included: string[]): string {
  const lines = included.map((n) => `import * as ${n} from '@medanchor/${n}';`);
  lines.push(
    `export const names: string[] = [${included.map((n) => `...Object.keys(${n})`).join(', ')}];`,
  );
  lines.push(
    '// @ts-expect-error toHex takes bytes: declarations must not degrade to any',
    "core.toHex('00');",
  );
  return `${lines.join('\n')}\n`;
}

const SETTINGS: { label: string; file: string; compilerOptions: Record<string, string> }[] = [
  {
    label: 'node16 (ESM)',
    file: 'main.ts',
    compilerOptions: { module: 'node16', moduleResolution: 'node16' },
  },
  {
    label: 'nodenext (ESM)',
    file: 'main.ts',
    compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext' },
  },
  {
    label: 'bundler (ESM)',
    file: 'main.ts',
    compilerOptions: { module: 'esnext', moduleResolution: 'bundler' },
  },
  // A .cts file is CommonJS under node16 even in a "type": "module" project: `require` conditions.
  {
    label: 'CommonJS (node16, .cts)',
    file: 'main.cts',
    compilerOptions: { module: 'node16', moduleResolution: 'node16' },
  },
  {
    label: 'node10 (CommonJS, main entries only)',
    file: 'main-node10.ts',
    compilerOptions: { module: 'commonjs', moduleResolution: 'node10' },
  },
];

const { included, skipped } = selectPackages();
for (const s of skipped) console.log(`consumer types: left out ${s}`);
console.log(
  `consumer types: packing ${included.map((n) => `@medanchor/${n}`).join(', ') || 'nothing'}`,
);
const ready = included.includes('core');
if (!ready)
  console.log('consumer types: skipped, @medanchor/core has no dist (run `pnpm build` first)');

describe.skipIf(!ready)('the packed packages typecheck in a blank project', () => {
  // Made in beforeAll, so a skipped run leaves no directory behind.
  let work = '';
  let project = '';
  let installed: { code: number; output: string } = { code: -1, output: 'not run' };
  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'medanchor-consumer-'));
    project = join(work, 'project');
    const tarballs = join(work, 'tarballs');
    mkdirSync(tarballs);
    mkdirSync(project);
    for (const name of included) {
      const packed = await run(
        'npx',
        ['-y', PNPM, 'pack', '--pack-destination', tarballs],
        repoPath('packages', name),
        60_000,
      );
      if (packed.code !== 0) {
        installed = {
          code: packed.code,
          output: `pnpm pack @medanchor/${name}:\n${packed.output}`,
        };
        return;
      }
    }
    const rootPkg = JSON.parse(readFileSync(repoPath('package.json'), 'utf8'));
    writeFileSync(
      join(project, 'package.json'),
      `${JSON.stringify({ name: 'consumer', private: true, type: 'module' }, null, 2)}\n`,
    );
    const tgz = readdirSync(tarballs).map((f) => join(tarballs, f));
    installed = await run(
      'npm',
      [
        'install',
        '--no-audit',
        '--no-fund',
        '--prefer-offline',
        '--ignore-scripts',
        `@types/node@${rootPkg.devDependencies['@types/node']}`,
        ...tgz,
      ],
      project,
      100_000,
    );
    const src = program(included);
    writeFileSync(join(project, 'main.ts'), src);
    writeFileSync(join(project, 'main.cts'), src);
    writeFileSync(join(project, 'main-node10.ts'), programNode10(included));
  }, 180_000);

  it('pnpm pack turns workspace:* into real versions and npm installs the tarballs', () => {
    expect(installed.code, installed.output).toBe(0);
    for (const name of included) {
      const pkg: Manifest = JSON.parse(
        readFileSync(join(project, 'node_modules', '@medanchor', name, 'package.json'), 'utf8'),
      );
      for (const [dep, range] of Object.entries(pkg.dependencies ?? {}))
        expect(range, `${name} -> ${dep}`).not.toMatch(/^workspace:/);
    }
  });

  for (const setting of SETTINGS) {
    it(`typechecks under ${setting.label} with strict and skipLibCheck false`, async () => {
      expect(installed.code, installed.output).toBe(0);
      const config = `tsconfig.${setting.label.replace(/[^a-z0-9]+/gi, '-')}.json`;
      writeFileSync(
        join(project, config),
        JSON.stringify({
          compilerOptions: {
            ...setting.compilerOptions,
            target: 'es2022',
            lib: ['es2022', 'dom'],
            types: ['node'],
            strict: true,
            skipLibCheck: false,
            noEmit: true,
          },
          files: [setting.file],
        }),
      );
      const tsc = await run(
        process.execPath,
        [repoPath('node_modules', 'typescript', 'bin', 'tsc'), '-p', config],
        project,
        60_000,
      );
      expect(tsc.code, `tsc -p ${config} (${setting.label}):\n${tsc.output}`).toBe(0);
    }, 90_000);
  }
});
