import type { AnchorContext, AnchorOutcome, AnchorVerifier, ReceiptAnchor } from '@medanchor/core';
import { equalBytes, isMedanchorError } from '@medanchor/core';
import type { Backend } from '../backend/types.js';
import { hashToDisplayHex, sha256d } from '../bitcoin/hash.js';
import { parseHeader } from '../bitcoin/header.js';
import { headerMeetsTarget } from '../bitcoin/pow.js';
import type { NetworkParams } from '../network/params.js';
import { bundledSchedule, defaultMinHeaderWork } from '../schedule/bundled.js';
import { checkHeaderAgainstSchedule } from '../schedule/rules.js';
import type { DifficultySchedule } from '../schedule/types.js';
import { proveBlockDepth } from '../spv/depth.js';
import {
  CALENDAR_ANCHOR_TYPE,
  type DecodedCalendarEntry,
  decodeCalendarEntry,
  type ReachedAttestation,
  reachedAttestations,
} from './calendar-entry.js';

/** Options of {@link calendarAnchorVerifier}. */
export interface CalendarAnchorVerifierOptions {
  /** The network the calendar's Bitcoin attestation must be on. */
  network: NetworkParams;
  /** Backends for level 3 (the block validated to `minConfirmations` deep); none: level 2. */
  backends?: readonly Backend[];
  /** Confirmations the block needs at level 3, the block itself counting as one (default 6). */
  minConfirmations?: number;
  /** How many backends must prove the depth (default: all of them). */
  quorum?: number;
  /** The difficulty schedule (default: bundled for the network; `null`: none). */
  schedule?: DifficultySchedule | null;
  /** Lowest height accepted at level 2 (default: the schedule's anchor floor). */
  minHeight?: number;
}

const fail = (reason: string, undetermined = false): AnchorOutcome => ({
  ok: false,
  reason,
  ...(undetermined ? { undetermined: true } : {}),
});

/**
 * Verifies `ots-calendar` receipt entries (docs/spec/ots-calendar.md): the calendar's
 * timestamp evaluated from the anchored checkpoint digest. A pending entry is reported
 * as verified at level 1 (`details.status: "pending"`; it proves no time). With a Bitcoin
 * attestation: level 2 when its operations reach the merkle root of the entry's header,
 * the header meets its proof-of-work target and the network's difficulty at that height;
 * level 3 when every backend (or `quorum` of them) proves the block `minConfirmations`
 * deep from a trusted point. Steps in failure reasons: `format`, `operations`, `header`,
 * `merkle-root`, `pow`, the schedule steps, `chain`. Never throws.
 *
 * @example
 * ```ts
 * const anchors = [bitcoinAnchorVerifier({ network }), calendarAnchorVerifier({ network })];
 * const r = await verifyReceipt(receipt, { anchors });
 * ```
 */
export function calendarAnchorVerifier(options: CalendarAnchorVerifierOptions): AnchorVerifier {
  const depth = options.minConfirmations ?? 6;
  const backends = options.backends ?? [];
  const quorum = options.quorum ?? backends.length;
  return {
    type: CALENDAR_ANCHOR_TYPE,
    async verify(anchor: ReceiptAnchor, context: AnchorContext): Promise<AnchorOutcome> {
      let entry: DecodedCalendarEntry;
      try {
        entry = decodeCalendarEntry(anchor);
      } catch (e) {
        return fail(`format: ${isMedanchorError(e) ? e.message : 'unreadable entry'}`);
      }
      let reached: ReachedAttestation[];
      try {
        reached = reachedAttestations(entry.timestamp, context.digest);
      } catch (e) {
        return fail(`operations: ${isMedanchorError(e) ? e.message : 'an operation failed'}`);
      }
      const bitcoin = reached.filter((r) => r.attestation.type === 'bitcoin');
      if (bitcoin.length === 0) {
        const uris = reached.flatMap((r) =>
          r.attestation.type === 'pending' ? [r.attestation.uri] : [],
        );
        if (uris.length === 0)
          return fail('operations: the timestamp has neither a pending nor a Bitcoin attestation');
        return {
          ok: true,
          level: 1,
          details: { status: 'pending', calendar: entry.calendar, pending: uris },
        };
      }
      const header = entry.header;
      if (header === undefined)
        return fail(
          'header: the entry has a Bitcoin attestation but no block header; upgrade it again',
        );
      const at = bitcoin.find((r) => equalBytes(r.message, header.subarray(36, 68)));
      if (at === undefined || at.attestation.type !== 'bitcoin')
        return fail(
          "merkle-root: no Bitcoin attestation of the timestamp reaches the header's merkle root",
        );
      const height = at.attestation.height;
      if (!headerMeetsTarget(header, options.network))
        return fail(`pow: the header fails its proof-of-work target on ${options.network.name}`);
      const parsed = parseHeader(header);
      const schedule =
        options.schedule === undefined ? bundledSchedule(options.network.name) : options.schedule;
      let window: { to?: number } | undefined;
      if (schedule !== null && schedule !== undefined) {
        const fit = checkHeaderAgainstSchedule(parsed, height, schedule, {
          ...(options.minHeight === undefined ? {} : { minHeight: options.minHeight }),
          minWork: defaultMinHeaderWork(options.network.name),
        });
        if (!fit.ok) return fail(`${fit.step}: ${fit.reason}`, fit.undetermined === true);
        window = fit.window;
      }
      const blockHash = hashToDisplayHex(sha256d(header));
      const facts = (bound: boolean, confirmations?: number) => ({
        chain: 'bitcoin',
        network: { value: options.network.name, bound: bound || window !== undefined },
        height: { value: height, bound },
        time: { value: parsed.time, bound },
        ...(bound
          ? { notLaterThan: parsed.time }
          : window?.to === undefined
            ? {}
            : { notLaterThan: window.to }),
        ...(confirmations === undefined ? {} : { confirmations }),
        testNetwork: options.network.name !== 'mainnet',
      });
      const base = { status: 'bitcoin', calendar: entry.calendar, height, blockHash };
      if (backends.length === 0)
        return { ok: true, level: 2, details: { ...base, facts: facts(false) } };
      const reasons: string[] = [];
      let proved = 0;
      let onlyFetch = true;
      let confirmations = 0;
      for (const source of backends) {
        const r = await proveBlockDepth({
          params: options.network,
          block: { height, header },
          confirmations: depth,
          source,
          ...(options.schedule === undefined ? {} : { schedule: options.schedule }),
        });
        if (r.ok) {
          proved++;
          const tip = await source.tip().catch(() => undefined);
          const c = tip === undefined ? depth : tip.height - height + 1;
          confirmations = confirmations === 0 ? c : Math.min(confirmations, c);
        } else {
          if (!r.undetermined) onlyFetch = false;
          reasons.push(`${source.name}: ${r.step}: ${r.reason}`);
        }
      }
      if (proved < Math.max(1, quorum))
        return {
          ok: false,
          reason: `chain: ${proved} of ${backends.length} backends proved block ${height} ${depth} confirmations deep, ${Math.max(1, quorum)} required (${reasons.join('; ')})`,
          ...(onlyFetch ? { undetermined: true } : {}),
          details: { ...base, facts: facts(false) },
        };
      return { ok: true, level: 3, details: { ...base, facts: facts(true, confirmations) } };
    },
  };
}
