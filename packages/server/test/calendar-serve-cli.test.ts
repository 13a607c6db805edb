// `medanchor serve --calendar` as a real child process: a standard OpenTimestamps client
// (python-opentimestamps, else our own) gets a pending attestation naming the server.
import { type ChildProcess, execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { reachedAttestations, submitToCalendar } from '@medanchor/chain';
import { sha256, toHex, utf8 } from '@medanchor/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, initProject, startServe, stopChild } from '../../cli/test/harness.js';

const PYTHON = '/usr/bin/python3';
const hasPython =
  spawnSync(PYTHON, ['-c', 'import opentimestamps.calendar'], { encoding: 'utf8' }).status === 0;
if (!hasPython)
  console.log(
    'python3-opentimestamps is not installed: the serve --calendar test uses our own client only',
  );

describe('medanchor serve --calendar', () => {
  let cwd: string;
  let remove: () => void;
  let child: ChildProcess | undefined;
  beforeAll(async () => {
    ({ dir: cwd, remove } = await initProject('serve-calendar', 'clinic.example/calendar'));
  });
  afterAll(async () => {
    await stopChild(child);
    remove();
  });

  it('refuses a --calendar URL OpenTimestamps cannot carry (exit 2)', async () => {
    for (const bad of ['ftp://x.example', 'https://x.example/a?b', 'https://x.example/~me']) {
      const r = await cli(['serve', '--calendar', bad, '--json'], { cwd });
      expect(r.status, bad).toBe(2);
      expect(JSON.parse(r.stdout).error.code).toBe('CLI_USAGE');
    }
  });

  it('answers POST /digest with a pending attestation naming its own URL (auto), and 404 until anchored', async () => {
    const serve = await startServe(['--calendar', 'auto', '--seal-every', '0'], { cwd });
    child = serve.child;
    const { url } = serve.ready;
    const digest = sha256(utf8('stamped through medanchor serve'));
    let commitment: string;
    if (hasPython) {
      const { stdout } = await promisify(execFile)(
        PYTHON,
        [
          '-c',
          `import sys
from opentimestamps.calendar import RemoteCalendar
ts = RemoteCalendar(sys.argv[1] + '/').submit(bytes.fromhex(sys.argv[2]), timeout=10)
for msg, att in ts.all_attestations(): print(msg.hex(), att.uri)`,
          url,
          toHex(digest),
        ],
        { encoding: 'utf8', timeout: 30_000 },
      );
      const [msg, uri] = stdout.trim().split(' ');
      expect(uri).toBe(url);
      commitment = msg!;
    } else {
      const reached = reachedAttestations(await submitToCalendar(url, digest), digest);
      expect(reached.map((r) => r.attestation)).toEqual([{ type: 'pending', uri: url }]);
      commitment = toHex(reached[0]!.message);
    }
    const early = await fetch(`${url}/timestamp/${commitment}`);
    expect(early.status).toBe(404);
    expect((await early.json()).error.code).toBe('SERVER_NOT_SEALED');
  });
});
