import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { repoPath } from '../../../../test/helpers/vectors.js';

const run = promisify(execFile);
const child = fileURLToPath(new URL('./memory-child.ts', import.meta.url));
const GiB = 2 ** 30;
const MiB = 2 ** 20;

describe('streaming memory', () => {
  it('sealing and opening 1 GiB from a generated stream grows memory by less than 64 MiB', async () => {
    // A separate process, so the measurement sees only this pipeline (no test runner
    // heap, no other test files); memory is sampled while the bytes flow, each sample
    // after a young-generation collection, so growth is what the pipeline keeps, not when
    // V8 happened to collect (see memory-child.ts).
    const { stdout } = await run(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', child, String(GiB)],
      { cwd: repoPath(), maxBuffer: 1 << 20 },
    );
    const m = JSON.parse(stdout.trim().split('\n').pop()!) as {
      bytes: number;
      rssGrowth: number;
      heapGrowth: number;
      arrayBufferGrowth: number;
      seconds: number;
    };
    console.log(
      `[memory] 1 GiB sealed+opened in ${m.seconds.toFixed(1)} s; RSS +${(m.rssGrowth / MiB).toFixed(1)} MiB, heap +${(m.heapGrowth / MiB).toFixed(1)} MiB, ArrayBuffers +${(m.arrayBufferGrowth / MiB).toFixed(1)} MiB`,
    );
    expect(m.bytes).toBe(GiB);
    expect(m.rssGrowth).toBeLessThan(64 * MiB);
    expect(m.heapGrowth + m.arrayBufferGrowth).toBeLessThan(64 * MiB);
  }, 300_000);
});
