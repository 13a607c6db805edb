import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fromHex } from '@medanchor/core';
import {
  CONSENT_ACTIONS,
  type ConsentAction,
  type ConsentCategory,
  consentSignerForKey,
  createConsentGrant,
  createConsentRevocation,
  evaluateConsent,
  signConsentGrant,
  signConsentRevocation,
  verifyConsentGrant,
} from '@medanchor/crypto';
import { stringList } from '../args.js';
import type { Command } from '../command.js';
import { EXIT_INVALID, EXIT_OK } from '../exit-codes.js';
import { readKeyFile } from '../key-files.js';
import { readJsonFile } from '../read-json.js';
import { inputError, usageError } from '../usage-error.js';

const RESOURCE_TYPES = 'http://hl7.org/fhir/resource-types';

/** `Observation` (a FHIR resource type) or `system|code`. */
function category(spec: string): ConsentCategory {
  const bar = spec.lastIndexOf('|');
  return bar < 0
    ? { system: RESOURCE_TYPES, code: spec }
    : { system: spec.slice(0, bar), code: spec.slice(bar + 1) };
}

function action(spec: string): ConsentAction {
  if (!(CONSENT_ACTIONS as readonly string[]).includes(spec))
    throw usageError(`action "${spec}" is not one of ${CONSENT_ACTIONS.join(', ')}`);
  return spec as ConsentAction;
}

function writeJson(path: string, value: unknown): void {
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
}

function readSignedGrant(path: string) {
  const signed = readJsonFile(path, 'consent grant');
  const check = verifyConsentGrant(signed);
  if (!check.valid)
    throw inputError(
      `${path} is not a valid signed consent grant (${check.step}: ${check.reason})`,
    );
  return { signed, grant: check.grant, hash: check.grantHash };
}

export const consentGrantCommand: Command = {
  path: ['consent', 'grant'],
  summary: "sign a patient's consent grant with their Bitcoin key",
  usage: '',
  description:
    'Builds a consent grant (docs/spec/consent.md: who may do what, why, with which data, when), signs its RFC 8785 canonical form with the patient key (BIP-340 by default, or BIP-322 for a p2tr/p2wpkh address), and writes it as JSON. Stamp the file to anchor when consent was given.',
  options: [
    {
      name: 'key',
      type: 'string',
      short: 'k',
      value: '<keyfile>',
      description: "the patient's secp256k1 key file (required)",
    },
    {
      name: 'patient',
      type: 'string',
      value: '<ref>',
      description: 'who consents, e.g. Patient/123 (required)',
    },
    {
      name: 'grantee',
      type: 'string',
      value: '<ref>',
      description: 'who is permitted, e.g. Practitioner/456 (required)',
    },
    {
      name: 'action',
      type: 'string',
      multiple: true,
      value: '<action>',
      description: `${CONSENT_ACTIONS.join('|')} (default access)`,
    },
    {
      name: 'purpose',
      type: 'string',
      multiple: true,
      value: '<code>',
      description: 'purpose of use, e.g. TREAT (default TREAT)',
    },
    {
      name: 'category',
      type: 'string',
      multiple: true,
      value: '<type|system|code>',
      description: 'data category: a FHIR resource type or system|code',
    },
    {
      name: 'record',
      type: 'string',
      multiple: true,
      value: '<ref>',
      description: 'a record reference in scope',
    },
    {
      name: 'from',
      type: 'string',
      value: '<time>',
      description: 'valid from (ISO 8601; default now)',
    },
    {
      name: 'until',
      type: 'string',
      value: '<time>',
      description: 'valid until (default: until revoked)',
    },
    {
      name: 'scheme',
      type: 'string',
      value: '<bip340|p2tr|p2wpkh>',
      description: 'signature scheme (default bip340)',
    },
    {
      name: 'out',
      type: 'string',
      short: 'o',
      value: '<file>',
      description: 'output file (default consent-grant.json)',
    },
  ],
  examples: [
    [
      'medanchor consent grant -k patient.key.json --patient Patient/pat-0 --grantee Practitioner/dr-lind --category Observation --until 2027-12-31T00:00:00Z -o grant.json',
      'a clinician may access observations for treatment',
    ],
  ],
  arity: [0, 0],
  async run({ args, config, out, io }) {
    const v = args.values;
    for (const required of ['key', 'patient', 'grantee'])
      if (typeof v[required] !== 'string') throw usageError(`--${required} is required`);
    const key = readKeyFile(resolve(io.cwd, v['key'] as string), 'secp256k1');
    const scheme = (v['scheme'] as string | undefined) ?? 'bip340';
    if (scheme !== 'bip340' && scheme !== 'p2tr' && scheme !== 'p2wpkh')
      throw usageError('--scheme is bip340, p2tr or p2wpkh');
    const secret = fromHex(key.secretKey);
    const categories = stringList(v['category']).map(category);
    const records = stringList(v['record']);
    if (categories.length + records.length === 0)
      throw usageError('give the data in scope: --category and/or --record');
    const time = (s: unknown, name: string) => {
      if (s === undefined) return undefined;
      const d = new Date(s as string);
      if (Number.isNaN(d.getTime()))
        throw usageError(`--${name} is not a time (use ISO 8601, e.g. 2027-01-01T00:00:00Z)`);
      return d;
    };
    const from = time(v['from'], 'from') ?? new Date();
    const until = time(v['until'], 'until');
    let grant: ReturnType<typeof createConsentGrant>;
    try {
      grant = createConsentGrant({
        patient: v['patient'] as string,
        signer: consentSignerForKey(secret, scheme, config.network.bech32),
        grantee: v['grantee'] as string,
        actions: (stringList(v['action']).length > 0 ? stringList(v['action']) : ['access']).map(
          action,
        ),
        purposes: stringList(v['purpose']).length > 0 ? stringList(v['purpose']) : ['TREAT'],
        scope: { records, categories },
        validFrom: new Date(Math.floor(from.getTime() / 1000) * 1000),
        ...(until === undefined ? {} : { validUntil: until }),
      });
    } catch (e) {
      throw usageError((e as Error).message);
    }
    const signed = signConsentGrant(grant, secret);
    const target = resolve(io.cwd, (v['out'] as string | undefined) ?? 'consent-grant.json');
    writeJson(target, signed);
    const hash = verifyConsentGrant(signed);
    out.result(
      {
        ok: true,
        file: target,
        grantHash: hash.valid ? hash.grantHash : undefined,
        signer: grant.signer,
      },
      [
        `wrote ${target}: ${grant.patient} permits ${grant.grantee} to ${grant.actions.join('/')} for ${grant.purposes.join('/')}`,
        `valid ${grant.validFrom} until ${grant.validUntil ?? 'revoked'}; signed (${grant.signer.scheme})`,
      ],
    );
    return EXIT_OK;
  },
};

export const consentRevokeCommand: Command = {
  path: ['consent', 'revoke'],
  summary: 'sign a revocation of a consent grant',
  usage: '<grant.json>',
  options: [
    {
      name: 'key',
      type: 'string',
      short: 'k',
      value: '<keyfile>',
      description: "the patient's key file, the one that signed the grant (required)",
    },
    {
      name: 'out',
      type: 'string',
      short: 'o',
      value: '<file>',
      description: 'output file (default consent-revocation.json)',
    },
  ],
  examples: [
    [
      'medanchor consent revoke -k patient.key.json grant.json -o revocation.json',
      'withdraw a consent',
    ],
  ],
  arity: [1, 1],
  async run({ args, out, io }) {
    const keyPath = args.values['key'] as string | undefined;
    if (keyPath === undefined) throw usageError('--key is required');
    const key = readKeyFile(resolve(io.cwd, keyPath), 'secp256k1');
    const { grant, hash } = readSignedGrant(resolve(io.cwd, args.positionals[0]!));
    const signed = signConsentRevocation(createConsentRevocation(grant), fromHex(key.secretKey));
    const target = resolve(
      io.cwd,
      (args.values['out'] as string | undefined) ?? 'consent-revocation.json',
    );
    writeJson(target, signed);
    out.result({ ok: true, file: target, grantHash: hash }, [
      `wrote ${target}: revokes grant ${hash.slice(0, 16)}... as of ${signed.revocation.revokedAt}`,
    ]);
    return EXIT_OK;
  },
};

export const consentCheckCommand: Command = {
  path: ['consent', 'check'],
  summary: 'decide whether a grant permits a request (exit 0 permit, 1 deny)',
  usage: '<grant.json>',
  description:
    "Verifies the grant's signature and validity period, applies the given revocations, then matches grantee, action, purpose and data. Prints the decision and, when denied, the first rule that failed.",
  options: [
    { name: 'grantee', type: 'string', value: '<ref>', description: 'who asks (required)' },
    {
      name: 'action',
      type: 'string',
      value: '<action>',
      description: 'what they want to do (default access)',
    },
    { name: 'purpose', type: 'string', value: '<code>', description: 'why (default TREAT)' },
    {
      name: 'category',
      type: 'string',
      value: '<type|system|code>',
      description: 'the data category asked for',
    },
    { name: 'record', type: 'string', value: '<ref>', description: 'the record asked for' },
    {
      name: 'revocation',
      type: 'string',
      multiple: true,
      value: '<file>',
      description: 'a signed revocation to apply',
    },
    {
      name: 'at',
      type: 'string',
      value: '<time>',
      description: 'decide at this time (default now)',
    },
  ],
  examples: [
    [
      'medanchor consent check grant.json --grantee Practitioner/dr-lind --category Observation',
      'may dr-lind read observations?',
    ],
    [
      'medanchor consent check grant.json --grantee Practitioner/dr-lind --category Observation --revocation revocation.json',
      'after a revocation: denied',
    ],
  ],
  arity: [1, 1],
  async run({ args, out, io }) {
    const v = args.values;
    if (typeof v['grantee'] !== 'string') throw usageError('--grantee is required');
    const signed = readJsonFile(resolve(io.cwd, args.positionals[0]!), 'consent grant');
    const revocations = stringList(v['revocation']).map((f) =>
      readJsonFile(resolve(io.cwd, f), 'revocation'),
    );
    const at = v['at'] === undefined ? new Date() : new Date(v['at'] as string);
    if (Number.isNaN(at.getTime())) throw usageError('--at is not a time (ISO 8601)');
    const decision = evaluateConsent(signed, {
      request: {
        grantee: v['grantee'],
        action: action((v['action'] as string | undefined) ?? 'access'),
        purpose: (v['purpose'] as string | undefined) ?? 'TREAT',
        ...(typeof v['record'] === 'string' ? { record: v['record'] } : {}),
        ...(typeof v['category'] === 'string' ? { category: category(v['category']) } : {}),
      },
      revocations,
      now: at,
    });
    out.result({ ok: decision.decision === 'permit', ...decision }, [
      decision.decision === 'permit' ? 'PERMIT' : `DENY (${decision.reason}): ${decision.detail}`,
    ]);
    return decision.decision === 'permit' ? EXIT_OK : EXIT_INVALID;
  },
};
