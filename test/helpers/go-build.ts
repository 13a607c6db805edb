// The Go side of the interop tests (test/interop): Debian's Go and golang.org/x/mod
// (apt-get install golang-go golang-golang-x-mod-dev), built in GOPATH mode, offline.
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where Debian's golang-*-dev packages put their sources. */
export const GOPATH = '/usr/share/gocode';

/**
 * Why a Go interop test cannot run here ('' when it can): no `go`, or no `modFile` (a path
 * below golang.org/x/mod/, e.g. `sumdb/tlog/tlog.go`) in {@link GOPATH}.
 */
export function goSkipReason(modFile: string): string {
  if (spawnSync('go', ['version']).status !== 0)
    return 'go is not installed (apt-get install golang-go)';
  if (!existsSync(join(GOPATH, 'src/golang.org/x/mod', modFile)))
    return `golang.org/x/mod is not in ${GOPATH} (apt-get install golang-golang-x-mod-dev)`;
  return '';
}

/** Builds the Go program in the folder `source` to the executable `out`; throws if it fails. */
export function buildGo(source: string, out: string): void {
  execFileSync('go', ['build', '-o', out, '.'], {
    cwd: source,
    env: {
      ...process.env,
      GOPATH,
      GO111MODULE: 'off',
      GOFLAGS: '',
      // Shared between runs: a cold cache compiles net/http and friends (minutes here).
      GOCACHE: join(tmpdir(), 'medanchor-go-build-cache'),
    },
  });
}

/** What a Go program printed and returned (-1 when it did not exit by itself). */
export interface GoRun {
  status: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs a built Go program to its end, killed after 60 s. Asynchronous on purpose: a
 * synchronous spawn would stall this process's event loop, and with it the pipes of any
 * server child it started.
 */
export function runGo(bin: string, args: readonly string[]): Promise<GoRun> {
  return new Promise((resolve) => {
    execFile(bin, [...args], { timeout: 60_000 }, (e, stdout, stderr) =>
      resolve({
        status: e === null ? 0 : typeof e.code === 'number' ? e.code : -1,
        stdout,
        stderr,
      }),
    );
  });
}
