import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fromHex } from '@medanchor/core';
import {
  CONSENT_ACTIONS,
  type ConsentAction,
  type ConsentCategory,
  type ConsentKeyKind,
  type ConsentSigner,
  type ConsentSignOptions,
  consentMultisigSigner,
  consentSignerForKey,
  createConsentGrant,
  createConsentRevocation,
  evaluateConsent,
  signConsentGrant,
  signConsentRevocation,
  verifyConsentGrant,
} from '@medanchor/crypto';
import { stringList } from '../args.js';
import { defineCommand } from '../command.js';
import { EXIT_INVALID, EXIT_OK } from '../exit-codes.js';
import { readKeyFile } from '../key-files.js';
import { readConsentJson } from '../read-json.js';
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

const SCHEMES = ['bip340', 'p2tr', 'p2wpkh', 'p2sh-p2wpkh', 'p2pkh', 'p2wsh-multisig'] as const;

/** The signer and signing options of `--scheme` over the given key files' secrets. */
function signerFor(
  scheme: string,
  secrets: Uint8Array[],
  threshold: number | undefined,
  network: { bech32: string; pubKeyHash: number; scriptHash: number },
): { signer: ConsentSigner; options: ConsentSignOptions } {
  if (!(SCHEMES as readonly string[]).includes(scheme)) {
    throw usageError(`--scheme is one of ${SCHEMES.join(', ')}`);
  }
  if (scheme === 'p2wsh-multisig') {
    const m = threshold ?? secrets.length;
    if (m > secrets.length) {
      throw usageError(
        `--threshold must be an integer from 1 to the number of keys (${secrets.length})`,
      );
    }
    const { signer, witnessScript } = consentMultisigSigner(secrets, m, network.bech32);
    return { signer, options: { witnessScript } };
  }
  if (secrets.length !== 1) throw usageError(`--scheme ${scheme} takes exactly one --key`);
  if (threshold !== undefined) throw usageError('--threshold is for --scheme p2wsh-multisig');
  const base58 = { pubKeyHash: network.pubKeyHash, scriptHash: network.scriptHash };
  return {
    signer: consentSignerForKey(secrets[0]!, scheme as ConsentKeyKind, network.bech32, base58),
    options: {},
  };
}

// BIP-340 signers take one key; multisig addresses take the list.
const oneOrAll = (secrets: Uint8Array[]) => (secrets.length === 1 ? secrets[0]! : secrets);

function readSecrets(paths: string[], cwd: string): Uint8Array[] {
  return paths.map((p) => fromHex(readKeyFile(resolve(cwd, p), 'secp256k1').secretKey));
}

function readSignedGrant(path: string) {
  const signed = readConsentJson(path, 'consent grant');
  const check = verifyConsentGrant(signed);
  if (!check.valid)
    throw inputError(
      `${path} is not a valid signed consent grant (${check.step}: ${check.reason})`,
    );
  return { signed, grant: check.grant, hash: check.grantHash };
}

export const consentGrantCommand = defineCommand({
  path: ['consent', 'grant'],
  summary: "sign a patient's consent grant with their Bitcoin key",
  usage: '',
  description:
    'Builds a consent grant (docs/spec/consent.md: who may do what, why, with which data, when), signs its RFC 8785 canonical form with the patient key (BIP-340 by default, or BIP-322 for a p2tr, p2wpkh, p2sh-p2wpkh, p2pkh or p2wsh-multisig address), and writes it as JSON. Stamp the file to anchor when consent was given.',
  options: [
    {
      name: 'key',
      type: 'string',
      short: 'k',
      multiple: true,
      value: '<keyfile>',
      description: "the patient's secp256k1 key file (required; repeat for p2wsh-multisig)",
    },
    {
      name: 'threshold',
      type: 'integer',
      min: 1,
      value: '<m>',
      description: 'p2wsh-multisig: signatures needed (default: every key)',
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
      value: `<${SCHEMES.join('|')}>`,
      description: 'signature scheme or address type (default bip340)',
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
    for (const required of ['patient', 'grantee'] as const)
      if (typeof v[required] !== 'string') throw usageError(`--${required} is required`);
    const keyPaths = stringList(v['key']);
    if (keyPaths.length === 0) throw usageError('--key is required');
    const scheme = v['scheme'] ?? 'bip340';
    const secrets = readSecrets(keyPaths, io.cwd);
    const { signer, options } = signerFor(scheme, secrets, v['threshold'], config.network);
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
        signer,
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
    const signed = signConsentGrant(grant, oneOrAll(secrets), options);
    const target = resolve(io.cwd, v['out'] ?? 'consent-grant.json');
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
});

export const consentRevokeCommand = defineCommand({
  path: ['consent', 'revoke'],
  summary: 'sign a revocation of a consent grant',
  usage: '<grant.json>',
  description:
    "Signs a revocation of the grant with the patient's key and writes it as JSON. Stamp it in the project that stamped the grant: `stamp` adds it as the next version of the grant's record, so a head proof (`consent status`) shows the grant revoked as of every checkpoint sealed after it.",
  options: [
    {
      name: 'key',
      type: 'string',
      short: 'k',
      multiple: true,
      value: '<keyfile>',
      description:
        "the patient's key file, the one that signed the grant (required; repeat for a multisig)",
    },
    {
      name: 'threshold',
      type: 'integer',
      min: 1,
      value: '<m>',
      description: 'multisig grants: signatures needed, as when granting (default: every key)',
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
  async run({ args, config, out, io }) {
    const keyPaths = stringList(args.values['key']);
    if (keyPaths.length === 0) throw usageError('--key is required');
    const secrets = readSecrets(keyPaths, io.cwd);
    const grantFile = resolve(io.cwd, args.positionals[0]!);
    const { grant, hash } = readSignedGrant(grantFile);
    // A multisig grant is revoked by the same script: rebuild it from the keys given.
    const options =
      secrets.length > 1 || args.values['threshold'] !== undefined
        ? signerFor('p2wsh-multisig', secrets, args.values['threshold'], config.network).options
        : {};
    const signed = signConsentRevocation(
      createConsentRevocation(grant),
      oneOrAll(secrets),
      options,
    );
    const target = resolve(io.cwd, args.values['out'] ?? 'consent-revocation.json');
    writeJson(target, signed);
    out.result({ ok: true, file: target, grantHash: hash, grantFile }, [
      `wrote ${target}: revokes grant ${hash.slice(0, 16)}... as of ${signed.revocation.revokedAt}`,
      `stamp it (\`medanchor stamp ${args.values['out'] ?? 'consent-revocation.json'}\`): it is added as the next version of the grant's record, so after a seal \`medanchor consent status ${args.positionals[0]}\` shows the grant revoked`,
    ]);
    return EXIT_OK;
  },
});

export const consentCheckCommand = defineCommand({
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
    const signed = readConsentJson(resolve(io.cwd, args.positionals[0]!), 'consent grant');
    const revocations = stringList(v['revocation']).map((f) =>
      readConsentJson(resolve(io.cwd, f), 'revocation'),
    );
    const at = v['at'] === undefined ? new Date() : new Date(v['at'] as string);
    if (Number.isNaN(at.getTime())) throw usageError('--at is not a time (ISO 8601)');
    const decision = evaluateConsent(signed, {
      request: {
        grantee: v['grantee'],
        action: action(v['action'] ?? 'access'),
        purpose: v['purpose'] ?? 'TREAT',
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
});
