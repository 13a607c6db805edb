import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { repoPath } from '../../../../test/helpers/vectors.js';

const run = promisify(execFile);
const child = fileURLToPath(new URL('./worker-exit-child.ts', import.meta.url));

describe('the thread that makes ephemeral keys ahead', () => {
  it('starts in a process that seals many records, and the process still exits on its own', async () => {
    // execFile resolves only once the child has exited: a thread keeping the process
    // alive would hang here until the test's timeout and fail it.
    const { stdout } = await run(process.execPath, ['--import', 'tsx', child], {
      cwd: repoPath(),
      maxBuffer: 1 << 20,
    });
    const r = JSON.parse(stdout.trim().split('\n').pop()!) as {
      opened: number;
      poolRunning: boolean;
    };
    expect(r.opened).toBe(72);
    expect(r.poolRunning).toBe(true);
  }, 120_000);
});
