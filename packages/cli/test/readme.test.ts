import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanEnv, tempDir } from './harness.js';

// The README's first session, run as written in bash: block 1 (init, then devnet, long
// running) and block 2 (stamp ... verify) with `medanchor` on the PATH. The devnet takes a
// free port (`--port 0`) and the config learns it, so a devnet already running is no obstacle.
const root = fileURLToPath(new URL('../../../', import.meta.url));
const readme = readFileSync(join(root, 'packages', 'cli', 'README.md'), 'utf8');
const block = (tag: string) => {
  const m = new RegExp(`\`\`\`sh ${tag}\\n([\\s\\S]*?)\`\`\``).exec(readme);
  if (m === null) throw new Error(`README has no \`\`\`sh ${tag} block`);
  return m[1]!.trim().split('\n');
};

let devnet: ChildProcess | undefined;
const { dir, remove } = tempDir('readme');
afterAll(async () => {
  if (devnet !== undefined && devnet.exitCode === null) {
    const exited = new Promise((done) => devnet!.once('exit', done));
    devnet.kill('SIGINT');
    await exited;
  }
  remove();
});

describe('packages/cli/README.md', () => {
  it('the first session runs as written: valid at level 3, the edited file caught', async () => {
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    const tsx = pathToFileURL(join(root, 'node_modules', 'tsx', 'dist', 'esm', 'index.mjs')).href;
    writeFileSync(
      join(bin, 'medanchor'),
      `#!/bin/sh\nexec "${process.execPath}" --import ${tsx} "${join(root, 'packages', 'cli', 'src', 'bin.ts')}" "$@"\n`,
    );
    chmodSync(join(bin, 'medanchor'), 0o755);
    const env = cleanEnv({
      PATH: `${bin}:${process.env['PATH']}`,
      TSX_TSCONFIG_PATH: join(root, 'tsconfig.json'),
    });
    const work = join(dir, 'work');
    mkdirSync(work);
    const bash = (script: string) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((done) => {
        execFile(
          'bash',
          ['-e', '-c', script],
          { cwd: work, env, maxBuffer: 1 << 24 },
          (error, stdout, stderr) =>
            done({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
        );
      });

    const terminal1 = block('cli-terminal-1');
    const setup = await bash(terminal1.slice(0, -1).join('\n'));
    expect(setup.code, setup.stderr).toBe(0);
    devnet = spawn('bash', ['-c', `exec ${terminal1.at(-1)!}`], {
      cwd: work,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    await new Promise<void>((ready, fail) => {
      let out = '';
      devnet!.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('Esplora API at')) ready();
      });
      devnet!.once('exit', (code) => fail(new Error(`devnet exited with ${code}`)));
    });

    const session = await bash(block('cli-terminal-2').join('\n'));
    expect(session.code, session.stderr).toBe(0);
    expect(session.stdout).toMatch(/2 file\(s\) stamped and durable/);
    expect(session.stdout).toMatch(/anchored in transaction [0-9a-f]{64}/);
    expect(session.stdout).toMatch(/VALID at level 3/);
    expect(session.stdout).toMatch(/PASS Bitcoin attestation: block \d+ \(regtest\)/);
    expect(session.stdout).toMatch(/INVALID: level 1 failed at step "content"/);
    // 23 s in a loaded full run: the default 60 s left too little room.
  }, 180_000);
});
