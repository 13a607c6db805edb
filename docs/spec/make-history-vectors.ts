// Writes docs/spec/vectors/history.json: the version-link vectors of docs/spec/history.md.
// Deterministic: fixed record bytes and a fixed previous leaf.
// Run: npx tsx docs/spec/make-history-vectors.ts   (the test suite checks the file)
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { sha256, toHex, utf8 } from '@medanchor/core';
import { canonicalizeJson } from '@medanchor/crypto';
import { type VersionLink, versionLinkBytes } from '@medanchor/fhir';

const obs = (versionId: string, value: number) =>
  `{"resourceType":"Observation","id":"obs-1","meta":{"versionId":"${versionId}"},"status":"final","valueQuantity":{"value":${value},"unit":"mmol/L"}}`;

/** The vector file's content. */
export function buildHistoryVectors(): Record<string, unknown> {
  const v1: VersionLink = {
    type: 'medanchor/version-link',
    version: 1,
    record: 'Observation/obs-1',
    seq: 1,
    content: toHex(sha256(utf8(obs('1', 5.1)))),
    previous: null,
  };
  const v2: VersionLink = {
    type: 'medanchor/version-link',
    version: 1,
    record: 'Observation/obs-1',
    seq: 2,
    content: toHex(sha256(utf8(obs('2', 5.4)))),
    // The commitment a ledger gave v1's link bytes at leaf 7 (fixed here, any salt).
    previous: { leafIndex: 7, commitment: toHex(sha256(utf8('example commitment of leaf 7'))) },
  };
  const valid = [
    { content: obs('1', 5.1), link: v1 },
    { content: obs('2', 5.4), link: v2 },
  ].map((v) => ({
    ...v,
    canonical: new TextDecoder().decode(versionLinkBytes(v.link)),
    digest: toHex(sha256(versionLinkBytes(v.link))),
  }));
  const invalid = [
    { why: 'seq 1 with a previous leaf', link: { ...v1, previous: v2.previous } },
    { why: 'seq 2 without a previous leaf', link: { ...v2, previous: null } },
    { why: 'seq 0', link: { ...v1, seq: 0 } },
    { why: 'unknown member', link: { ...v1, note: 'x' } },
    { why: 'uppercase hex content', link: { ...v1, content: v1.content.toUpperCase() } },
    { why: 'record not a Type/id reference', link: { ...v1, record: 'obs-1' } },
    {
      why: 'negative previous leaf index',
      link: { ...v2, previous: { ...v2.previous!, leafIndex: -1 } },
    },
  ];
  return {
    description:
      'Version links (history.md): `valid` gives the version bytes, the link, its canonical JSON (the ledger record) and that record digest; `invalid` links MUST be refused.',
    valid,
    invalid: JSON.parse(canonicalizeJson(invalid)),
  };
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const path = fileURLToPath(new URL('./vectors/history.json', import.meta.url));
  writeFileSync(path, `${JSON.stringify(buildHistoryVectors(), null, 2)}\n`);
  console.log(`wrote ${path}`);
}
