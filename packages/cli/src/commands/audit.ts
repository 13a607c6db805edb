import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { isMedanchorError, sha256, toHex } from '@medanchor/core';
import {
  assertFhirResource,
  auditEventBytes,
  checkAuditEventConsent,
  type FhirAuditEvent,
  isFhirInputError,
} from '@medanchor/fhir';
import { loadR4Validator } from '@medanchor/fhir/node';
import { stringList } from '../args.js';
import { type CommandContext, defineCommand } from '../command.js';
import { EXIT_INVALID, EXIT_OK } from '../exit-codes.js';
import { readConsentJson, readJsonFile } from '../read-json.js';
import { offlineReceiptLevel, receiptPathOf } from '../receipt-files.js';
import { inputError } from '../usage-error.js';
import { stampCommand } from './stamp.js';
import { verifyCommand } from './verify.js';

// Audit events live in <dataDir>/audit in their committed form (docs/spec/audit-event.md:
// RFC 8785 JSON without server-assigned id and meta), so each file is exactly the bytes
// its receipt proves, and `stamp`, `seal`, `upgrade` and `verify` treat them as any record.
const auditDir = (ctx: CommandContext) => join(ctx.config.dataDir, 'audit');

function storedEvents(ctx: CommandContext): string[] {
  const dir = auditDir(ctx);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json') && !f.endsWith('.receipt.json'))
    .sort()
    .map((f) => join(dir, f));
}

export const auditRecordCommand = defineCommand({
  path: ['audit', 'record'],
  summary: 'validate FHIR AuditEvents and commit them to the log',
  usage: '<events...>',
  description:
    'Reads each file as a FHIR R4 AuditEvent (IHE BALP, e.g. made by @medanchor/fhir), validates it against the official FHIR R4 definitions and refuses it, naming the element path, when it is malformed; nothing is recorded unless every event passes. Each event is kept in the audit folder of the data directory in its committed form (canonical JSON without the id and meta a FHIR server assigns) and stamped; `seal` then writes its receipt beside it. List them with `audit list`, check them with `audit verify`.',
  options: [],
  examples: [
    ['medanchor audit record read-obs-1.json', 'record one access'],
    ['medanchor audit record --json events/*.json', 'record a batch, machine-readable'],
  ],
  arity: [1, Number.POSITIVE_INFINITY],
  async run(ctx) {
    const validator = await loadR4Validator();
    const files = ctx.args.positionals.map((f) => resolve(ctx.io.cwd, f));
    // All or nothing: every event is read and validated before any is written or stamped.
    const prepared = files.map((file) => {
      const event = readJsonFile(file, 'AuditEvent');
      try {
        assertFhirResource(event, validator, { resourceType: 'AuditEvent' });
      } catch (e) {
        if (isFhirInputError(e) && isMedanchorError(e))
          throw inputError(`${file} is not a valid FHIR R4 AuditEvent: ${e.message}`, e);
        throw e;
      }
      const bytes = auditEventBytes(event as object);
      const recorded = String((event as FhirAuditEvent).recorded).replace(/[^0-9TZ]/g, '');
      return { file, bytes, name: `${recorded}-${toHex(sha256(bytes)).slice(0, 16)}.json` };
    });
    const dir = auditDir(ctx);
    mkdirSync(dir, { recursive: true });
    const stored = prepared.map((p) => {
      const path = join(dir, p.name);
      if (!existsSync(path)) writeFileSync(path, p.bytes);
      return path;
    });
    return stampCommand.run({ ...ctx, args: { values: {}, positionals: stored } });
  },
});

interface Listed {
  file: string;
  recorded: string;
  interaction: string;
  user: string | null;
  patient: string | null;
  entity: string | null;
  receiptLevel: number | null;
  /** With --grant: `permit`, or `deny (<reason>)` for an access the consent did not cover. */
  consent?: string;
}

export const auditListCommand = defineCommand({
  path: ['audit', 'list'],
  summary: 'list the recorded AuditEvents, oldest first, with their receipt level',
  usage: '',
  description:
    'One line per event in the audit folder: when, what (create, read, search, disclose), who asked, which patient and record, and the offline level of its receipt (none before `seal`; 1 sealed; 2 anchored). Levels are checked offline: use `audit verify` for the chain. With --grant (a signed consent grant) and any --revocation, each access is also decided against the consent at the time it was recorded; the exit status is 1 when any access was outside it.',
  options: [
    {
      name: 'grant',
      type: 'string',
      value: '<file>',
      description: 'a signed consent grant to check each access against',
    },
    {
      name: 'revocation',
      type: 'string',
      multiple: true,
      value: '<file>',
      description: 'a signed revocation of that grant',
    },
  ],
  examples: [
    ['medanchor audit list', 'the audit trail'],
    ['medanchor audit list --json', 'machine-readable'],
    [
      'medanchor audit list --grant grant.json --revocation revocation.json',
      'flag accesses the consent did not cover',
    ],
  ],
  arity: [0, 0],
  async run(ctx) {
    const grantFile = ctx.args.values['grant'];
    const grant =
      typeof grantFile === 'string'
        ? readConsentJson(resolve(ctx.io.cwd, grantFile), 'consent grant')
        : undefined;
    const revocations = stringList(ctx.args.values['revocation']).map((f) =>
      readConsentJson(resolve(ctx.io.cwd, f), 'revocation'),
    );
    const rows: Listed[] = storedEvents(ctx).map((file) => {
      const e = JSON.parse(readFileSync(file, 'utf8')) as FhirAuditEvent;
      const receiptPath = receiptPathOf(file);
      let receiptLevel: number | null = null;
      if (existsSync(receiptPath)) {
        try {
          receiptLevel = offlineReceiptLevel(JSON.parse(readFileSync(receiptPath, 'utf8')));
        } catch {
          receiptLevel = 0;
        }
      }
      const check = grant === undefined ? undefined : checkAuditEventConsent(e, grant, revocations);
      return {
        ...(check === undefined
          ? {}
          : { consent: check.decision === 'permit' ? 'permit' : `deny (${check.reason})` }),
        file,
        recorded: e.recorded,
        interaction: e.subtype?.[0]?.code ?? e.type?.code ?? 'unknown',
        user: e.agent?.find((a) => a.requestor)?.who?.reference ?? null,
        patient: e.entity?.find((x) => x.role?.code === '1')?.what?.reference ?? null,
        entity: e.entity?.find((x) => x.role?.code === '4')?.what?.reference ?? null,
        receiptLevel,
      };
    });
    rows.sort((a, b) => Date.parse(a.recorded) - Date.parse(b.recorded));
    const outside = rows.filter((r) => r.consent !== undefined && r.consent !== 'permit').length;
    ctx.out.result(
      {
        ok: outside === 0,
        events: rows,
        ...(grant === undefined ? {} : { outsideConsent: outside }),
      },
      rows.length === 0
        ? ['no audit events recorded (medanchor audit record <event.json>)']
        : rows.map(
            (r) =>
              `${r.recorded}  ${r.interaction.padEnd(8)} ${r.user ?? '-'} -> ${r.patient ?? '-'}${r.entity ? ` ${r.entity}` : ''}  receipt: ${r.receiptLevel === null ? 'none (run seal)' : `level ${r.receiptLevel}`}${r.consent === undefined ? '' : `  consent: ${r.consent}`}`,
          ),
    );
    return outside === 0 ? EXIT_OK : EXIT_INVALID;
  },
});

export const auditVerifyCommand = defineCommand({
  path: ['audit', 'verify'],
  summary: 'verify the recorded AuditEvents against their receipts (as verify --beside)',
  usage: '[events...]',
  description:
    'Checks every recorded AuditEvent (or the given files from the audit folder): it must still be a valid FHIR R4 AuditEvent, and its receipt beside it must prove it, level by level, exactly as `medanchor verify --beside` (same levels, options and exit statuses).',
  options: verifyCommand.options.filter((o) => o.name !== 'beside'),
  examples: [
    ['medanchor audit verify', 'the whole audit trail at the default level'],
    ['medanchor audit verify --min-level 1', 'offline, Merkle proofs only'],
  ],
  arity: [0, Number.POSITIVE_INFINITY],
  async run(ctx) {
    const files =
      ctx.args.positionals.length > 0
        ? ctx.args.positionals.map((f) => resolve(ctx.io.cwd, f))
        : storedEvents(ctx);
    if (files.length === 0) throw inputError('no audit events recorded: nothing to verify');
    const validator = await loadR4Validator();
    for (const file of files) {
      const event = readJsonFile(file, 'AuditEvent');
      try {
        assertFhirResource(event, validator, { resourceType: 'AuditEvent' });
      } catch (e) {
        if (isFhirInputError(e) && isMedanchorError(e))
          throw inputError(`${file} is not a valid FHIR R4 AuditEvent: ${e.message}`, e);
        throw e;
      }
    }
    return verifyCommand.run({
      ...ctx,
      args: { values: { ...ctx.args.values, beside: true }, positionals: files },
    });
  },
});
