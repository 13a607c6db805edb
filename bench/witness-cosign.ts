// The witness cosign round trip for `pnpm bench server`: a log asks a witness to cosign each
// new checkpoint over real HTTP on 127.0.0.1 (keep-alive), as the ledger does after a seal:
// request with a consistency proof, the witness verifies the log's signature and the proof,
// fsyncs its state and cosigns, the log verifies the answer. The checkpoints are signed and
// the proofs computed before the clock starts; witness and log share this process.
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createWitnessAsker } from '@medanchor/chain';
import {
  encodeVerifierKey,
  generateNoteKey,
  generateWitnessKey,
  leafHash,
  MerkleLog,
  signCheckpoint,
  toVerifierKey,
  utf8,
} from '@medanchor/core';
import { createWitness, createWitnessServer, openWitnessState } from '@medanchor/server/witness';

const ROUNDS = 300;
const LEAVES_PER_SEAL = 1000;

/** Sequential cosign round trips; prints `server witness cosign: p50 ... p99 ...`. */
export async function witnessCosignRoundTrip(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'medanchor-bench-witness-'));
  const origin = 'bench.example/witnessed';
  const logKey = generateNoteKey(origin);
  const witnessKey = generateWitnessKey('bench.example/witness');
  const state = await openWitnessState(dir);
  const witness = createWitness({
    key: witnessKey,
    logs: [{ origin, vkeys: [encodeVerifierKey(logKey)] }],
    state,
  });
  const server = createWitnessServer({ witness });
  try {
    const { url } = await server.listen(0, '127.0.0.1');
    const asker = createWitnessAsker({
      witnesses: [{ url, vkey: encodeVerifierKey(toVerifierKey(witnessKey)) }],
    });
    const log = new MerkleLog();
    const seals: { note: Uint8Array; proofs: Map<number, Uint8Array[]> }[] = [];
    for (let r = 0; r <= ROUNDS; r++) {
      const from = log.size;
      log.append(
        Array.from({ length: LEAVES_PER_SEAL }, (_, i) => leafHash(utf8(`w ${from + i}`))),
      );
      const note = signCheckpoint({ origin, size: log.size, root: log.root() }, logKey);
      const proofs = new Map<number, Uint8Array[]>();
      if (from > 0) proofs.set(from, log.consistencyProof(from));
      seals.push({ note, proofs });
    }
    const times: number[] = [];
    for (const [i, seal] of seals.entries()) {
      const t0 = performance.now();
      const round = await asker.cosign(seal.note, async (from) => seal.proofs.get(from) ?? []);
      const ms = performance.now() - t0;
      if (round.cosigned.length !== 1)
        throw new Error(`round ${i}: ${round.failures[0]?.message ?? 'not cosigned'}`);
      if (i > 0) times.push(ms); // the first one opens the connection
    }
    times.sort((a, b) => a - b);
    const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!;
    console.log(
      `server witness cosign: p50 ${at(0.5).toFixed(2)} ms, p99 ${at(0.99).toFixed(2)} ms (${times.length} sequential add-checkpoint round trips over HTTP keep-alive, ${LEAVES_PER_SEAL} leaves per checkpoint, state fsynced per cosignature, witness and log in one process; load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')})`,
    );
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
