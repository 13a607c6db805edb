// `pnpm bench [section...]`: runs the benchmark sections (core, crypto, chain, ledger, ...) and
// prints one table per figure, each next to its peers measured in the same run.
import { readdirSync } from 'node:fs';
import { machineLine } from './harness.js';

const dir = new URL('./sections/', import.meta.url);
const available = readdirSync(dir)
  .filter((f) => f.endsWith('.ts'))
  .map((f) => f.replace(/\.ts$/, ''))
  .sort();
const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const sections = wanted.length > 0 ? wanted : available;

console.log(`# medanchor benchmarks\n\n${machineLine()}`);
for (const name of sections) {
  if (!available.includes(name)) {
    console.error(`unknown section "${name}"; available: ${available.join(', ')}`);
    process.exit(2);
  }
  console.log(`\n## ${name}`);
  const mod = (await import(new URL(`./sections/${name}.ts`, import.meta.url).href)) as {
    run: () => Promise<void>;
  };
  await mod.run();
}
