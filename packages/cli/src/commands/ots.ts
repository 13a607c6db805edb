import { readFileSync, writeFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import {
  type Backend,
  type NetworkParams,
  parseHeader,
  proveBlockDepth,
  readOts,
  receiptToOts,
  verifyOts,
  writeOts,
} from '@medanchor/chain';
import { isMedanchorError, parseReceipt } from '@medanchor/core';
import { defineCommand } from '../command.js';
import { EXIT_INVALID, EXIT_OK } from '../exit-codes.js';
import { readJsonFile } from '../read-json.js';
import { inputError } from '../usage-error.js';
import { backendFor } from '../workspace.js';

const utc = (t: number) => `${new Date(t * 1000).toISOString().slice(0, 19).replace('T', ' ')} UTC`;

/**
 * What the earliest attestation proves, in words: its block is validated from a trusted
 * checkpoint (the bundled schedule, or genesis on regtest) before its height and time are
 * stated as facts; otherwise they are the backend's claim.
 */
async function boundTime(
  attestation: { height: number; header: Uint8Array },
  network: NetworkParams,
  backend: Backend,
): Promise<{ statement: string; facts: Record<string, unknown> }> {
  const time = parseHeader(attestation.header).time;
  const proof = await proveBlockDepth({
    params: network,
    block: attestation,
    confirmations: 1,
    source: backend,
  });
  const test = network.name === 'mainnet' ? '' : ' (test network: proves nothing about time)';
  const facts = {
    network: network.name,
    height: { value: attestation.height, bound: proof.ok },
    time: { value: time, bound: proof.ok && network.name !== 'regtest' },
    testNetwork: network.name !== 'mainnet',
  };
  const statement = proof.ok
    ? `existed no later than ${utc(time)} (block ${attestation.height} on Bitcoin ${network.name}, its header validated from a trusted checkpoint)${test}`
    : `existed no later than ${utc(time)} as the block claims (block ${attestation.height} on Bitcoin ${network.name} per ${backend.name}; its header could not be validated: ${proof.reason})${test}`;
  return { statement, facts };
}

const defaultOtsPath = (receipt: string) => `${receipt.replace(/\.receipt\.json$/, '')}.ots`;

export const otsExportCommand = defineCommand({
  path: ['ots', 'export'],
  summary: 'export a confirmed receipt as an OpenTimestamps proof (.ots)',
  usage: '<receipt>',
  description:
    "Rewrites the receipt's proof chain (commitment, inclusion path, checkpoint, transaction, block merkle branch) as OpenTimestamps operations ending in a Bitcoin block attestation, so the `ots` tools verify the record without medanchor. Needs a receipt upgraded with its Bitcoin anchor. Note: the .ots proof is of the record's SHA-256; it reveals the receipt's salt to whoever holds it, as the receipt does.",
  options: [
    {
      name: 'out',
      type: 'string',
      short: 'o',
      value: '<file>',
      description: 'output path (default: <file>.ots beside the receipt)',
    },
  ],
  examples: [
    ['medanchor ots export scan.pdf.receipt.json', 'writes scan.pdf.ots'],
    [
      'ots verify scan.pdf.ots',
      'then check it with the OpenTimestamps client (needs a Bitcoin node)',
    ],
  ],
  arity: [1, 1],
  async run({ args, out, io }) {
    const receiptPath = resolve(io.cwd, args.positionals[0]!);
    let receipt: ReturnType<typeof parseReceipt>;
    try {
      receipt = parseReceipt(readJsonFile(receiptPath, 'receipt'));
    } catch (e) {
      if (isMedanchorError(e) && e.code === 'CLI_INPUT') throw e;
      throw inputError(`${receiptPath} is not a valid receipt: ${(e as Error).message}`);
    }
    const target = resolve(io.cwd, args.values['out'] ?? defaultOtsPath(receiptPath));
    const ots = receiptToOts(receipt);
    const bytes = writeOts(ots);
    writeFileSync(target, bytes);
    out.result({ ok: true, ots: target, bytes: bytes.length }, [
      `wrote ${target} (${bytes.length} bytes)`,
    ]);
    return EXIT_OK;
  },
});

export const otsVerifyCommand = defineCommand({
  path: ['ots', 'verify'],
  summary: 'verify a file against an OpenTimestamps proof with Bitcoin attestations',
  usage: '<file> <proof.ots>',
  description:
    "Checks that the file's SHA-256 is the proof's digest, runs its operations, and compares each Bitcoin attestation with the merkle root of the block header at that height, fetched from the configured backend. Valid (exit 0) when at least one attestation is confirmed; pending calendar attestations are listed as unchecked. The verdict says when the file existed by: the earliest attested block's time, stated as a fact only when its header is validated from a trusted checkpoint (the bundled difficulty schedule); test networks prove nothing about time.",
  options: [],
  examples: [
    ['medanchor ots verify scan.pdf scan.pdf.ots', 'with the configured backend'],
    [
      'medanchor ots verify --network mainnet --esplora https://blockstream.info/api doc.txt doc.txt.ots',
      'a mainnet proof from any OpenTimestamps tool',
    ],
  ],
  arity: [2, 2],
  async run({ args, config, out, io }) {
    const [filePath, otsPath] = args.positionals.map((p) => resolve(io.cwd, p)) as [string, string];
    let content: Uint8Array;
    let proof: Uint8Array;
    try {
      content = new Uint8Array(readFileSync(filePath));
      proof = new Uint8Array(readFileSync(otsPath));
    } catch (cause) {
      throw inputError(`cannot read ${filePath} or ${otsPath}`, cause);
    }
    let file: ReturnType<typeof readOts>;
    try {
      file = readOts(proof);
    } catch (e) {
      throw inputError(`${otsPath} is not an OpenTimestamps proof: ${(e as Error).message}`);
    }
    const backend = backendFor(config);
    const result = await verifyOts(file, content, async (height) => {
      try {
        return (await backend.headerByHeight(height)).header;
      } catch (e) {
        if (isMedanchorError(e) && e.code === 'NOT_FOUND') return undefined;
        throw e;
      }
    });
    if (!result.ok) {
      out.result({ ok: false, step: result.step, reason: result.reason }, [
        `INVALID: step "${result.step}": ${result.reason}`,
      ]);
      return EXIT_INVALID;
    }
    const ok = result.confirmed.length > 0;
    const earliest = [...result.confirmed].sort((a, b) => a.height - b.height)[0];
    const when =
      earliest === undefined ? undefined : await boundTime(earliest, config.network, backend);
    out.result(
      {
        ok,
        confirmed: result.confirmed.map((c) => ({ height: c.height })),
        unchecked: result.unchecked.length,
        network: config.network.name,
        ...(when === undefined
          ? {}
          : { facts: when.facts, statement: `${basename(filePath)} ${when.statement}` }),
      },
      [
        ...result.confirmed.map(
          (c) =>
            `PASS Bitcoin attestation: block ${c.height} (${config.network.name}) commits to the file`,
        ),
        ...(when === undefined ? [] : [`${basename(filePath)} ${when.statement}`]),
        ...(result.unchecked.length > 0
          ? [
              `${result.unchecked.length} attestation(s) not checked (pending, other chains, or no header)`,
            ]
          : []),
        ok ? 'VALID' : 'NOT VALID: no Bitcoin attestation could be confirmed',
      ],
    );
    return ok ? EXIT_OK : EXIT_INVALID;
  },
});
