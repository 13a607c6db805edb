// `pnpm bench [section...]`: runs the benchmark sections (core, crypto, chain...) and
// prints one table per figure, each next to its peers measured in the same run. Each
// section runs in a process of its own, so no section measures the heap, threads or JIT
// state an earlier one left (the consent rows ran ~45% slower after the core section's
// million-leaf trees than alone).
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { machineLine } from './harness.js';

const CHILD = 'MEDANCHOR_BENCH_SECTION_CHILD';
const dir = new URL('./sections/', import.meta.url);
const available = readdirSync(dir)
  .filter((f) => f.endsWith('.ts'))
  .map((f) => f.replace(/\.ts$/, ''))
  .sort();
const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const sections = wanted.length > 0 ? wanted : available;
for (const name of sections) {
  if (!available.includes(name)) {
    console.error(`unknown section "${name}"; available: ${available.join(', ')}`);
    process.exit(2);
  }
}

if (process.env[CHILD] === '1') {
  for (const name of sections) {
    console.log(`\n## ${name}`);
    const mod = (await import(new URL(`./sections/${name}.ts`, import.meta.url).href)) as {
      run: () => Promise<void>;
    };
    await mod.run();
  }
} else {
  console.log(`# medanchor benchmarks\n\n${machineLine()}`);
  for (const name of sections) {
    // The same runtime and loader flags (tsx) as this process, one section.
    const child = spawnSync(
      process.execPath,
      [...process.execArgv, fileURLToPath(import.meta.url), name],
      { stdio: 'inherit', env: { ...process.env, [CHILD]: '1' } },
    );
    if (child.status !== 0) {
      console.error(`section ${name} failed (${child.signal ?? `exit ${child.status}`})`);
      process.exit(1);
    }
  }
}
