// Package checks for every publishable package: publint (package.json and files)
// and @arethetypeswrong/cli (types resolve for ESM and CJS consumers).
// The node16 profile: we support Node >= 20 and modern resolvers; node10 resolution of
// subpath exports (`/node`) is out of scope.
// Run after `pnpm build`. Exits non-zero on any problem.
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const pkgs = readdirSync(join(root, 'packages')).sort();
const bin = (name) => join(root, 'node_modules', '.bin', name);
let failed = 0;

for (const name of pkgs) {
  const dir = join(root, 'packages', name);
  for (const [tool, args] of [
    ['publint', ['--strict', '--pack', 'npm', dir]],
    ['attw', ['--pack', dir, '--format', 'table-flipped', '--no-color', '--profile', 'node16']],
  ]) {
    process.stdout.write(`\n== ${tool} @medanchor/${name}\n`);
    try {
      const out = execFileSync(bin(tool), args, {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      process.stdout.write(out);
    } catch (e) {
      failed++;
      process.stdout.write(`${e.stdout ?? ''}${e.stderr ?? ''}`);
      process.stdout.write(`!! ${tool} found problems in @medanchor/${name}\n`);
    }
  }
}
if (failed > 0) {
  console.error(`\npackage checks: ${failed} problem report(s)`);
  process.exit(1);
}
console.log('\npackage checks: publint and are-the-types-wrong clean for every package');
