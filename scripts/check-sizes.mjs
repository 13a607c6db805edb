// Size budgets (scripts/size-budgets.json): every public entry of every package, bundled
// and minified as an application would (esbuild), must stay within its budget, and the
// verifier's browser bundles must not contain the packages they forbid (the transaction
// builder and its signing stack). Run after `pnpm build`; exits 1 on any breach.
// `--print` prints the table and never fails (the bench uses it).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleSize, kb, publicEntries, root } from './bundle-size.mjs';

/**
 * Measures every entry and named import; returns rows and the problems found. By default
 * the budgets of scripts/size-budgets.json over the packages' builds; tests pass their
 * own budgets and entries (e.g. the sources).
 */
export async function checkSizes(options = {}) {
  const budgets =
    options.budgets ?? JSON.parse(readFileSync(join(root, 'scripts', 'size-budgets.json'), 'utf8'));
  const entries = options.entries ?? publicEntries();
  const files = Object.fromEntries(entries.map((e) => [e.name, e.file]));
  const rows = [];
  const problems = [];
  const warnings = [];
  const measure = async (name, source, budget) => {
    const r = await bundleSize({ source, platform: budget.platform, entries: files });
    const forbidden = (budget.forbid ?? []).filter((p) => r.packages.includes(p));
    const over = budget.limit !== undefined && r.bytes > budget.limit;
    rows.push({ name, platform: budget.platform, ...r, limit: budget.limit, over, forbidden });
    if (over)
      problems.push(`${name}: ${kb(r.bytes)} minified, over its budget of ${kb(budget.limit)}`);
    if (forbidden.length > 0) problems.push(`${name}: contains ${forbidden.join(', ')}`);
  };
  for (const e of entries) {
    const budget = budgets.entries[e.name];
    if (!existsSync(e.file)) {
      problems.push(`${e.name}: ${e.file} is missing (run \`pnpm build\` first)`);
      continue;
    }
    const source = `export * from ${JSON.stringify(e.file)};`;
    if (!budget) {
      warnings.push(`${e.name} has no budget: add one to scripts/size-budgets.json`);
      // Measured anyway: as a browser entry if it bundles for browsers, else for Node.
      try {
        await measure(e.name, source, { platform: 'browser' });
      } catch {
        await measure(e.name, source, { platform: 'node' }).catch(() => {});
      }
      continue;
    }
    try {
      await measure(e.name, source, budget);
    } catch (err) {
      problems.push(
        `${e.name}: could not be bundled (${String(err.message).split('\n')[1] ?? err.message})`,
      );
    }
  }
  for (const imp of budgets.imports) {
    try {
      await measure(imp.name, imp.source, imp);
    } catch (err) {
      problems.push(`${imp.name}: could not be bundled (${String(err.message).split('\n')[0]})`);
    }
  }
  return { rows, problems, warnings };
}

/** The rows as a Markdown table. */
export function sizeTable(rows) {
  const lines = [
    '| bundle | platform | minified | gzip | budget | |',
    '| --- | --- | ---: | ---: | ---: | --- |',
  ];
  for (const r of rows) {
    const ok = r.over || r.forbidden.length > 0 ? 'OVER' : r.limit === undefined ? '-' : 'ok';
    const budget = r.limit === undefined ? 'none' : kb(r.limit);
    lines.push(
      `| ${r.name} | ${r.platform} | ${kb(r.bytes)} | ${kb(r.gzip)} | ${budget} | ${ok} |`,
    );
  }
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { rows, problems, warnings } = await checkSizes();
  console.log(sizeTable(rows));
  for (const w of warnings) console.warn(`warning: ${w}`);
  if (process.argv.includes('--print')) process.exit(0);
  if (problems.length > 0) {
    for (const p of problems) console.error(`!! ${p}`);
    console.error(`\nsize budgets: ${problems.length} problem(s)`);
    process.exit(1);
  }
  console.log('\nsize budgets: every entry within its budget');
}
