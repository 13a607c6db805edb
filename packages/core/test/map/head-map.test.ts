import { describe, expect, it } from 'vitest';
import {
  encodeHeadValue,
  formatCheckpointText,
  generateNoteKey,
  HEAD_MAP_EMPTY,
  type HeadValue,
  headLeafHash,
  headMapKey,
  headMapKeySalt,
  headMapLine,
  headMapRootOf,
  headNodeHash,
  headProofDocument,
  isMedanchorError,
  keyBit,
  memoryHeadMapStore,
  parseHeadProof,
  proveHeadMap,
  sha256,
  signNote,
  toHex,
  updateHeadMap,
  verifyHeadMapPath,
  verifyHeadProof,
} from '../../src/index.js';

// The map's root by its definition (docs/spec/head-map.md section 3), from the whole set:
// independent of the incremental update it checks.
function rootOf(entries: readonly { key: Uint8Array; value: HeadValue }[], depth = 0): Uint8Array {
  if (entries.length === 0) return HEAD_MAP_EMPTY;
  if (entries.length === 1)
    return headLeafHash(entries[0]!.key, sha256(encodeHeadValue(entries[0]!.value)));
  const l = entries.filter((e) => keyBit(e.key, depth) === 0);
  const r = entries.filter((e) => keyBit(e.key, depth) === 1);
  return headNodeHash(rootOf(l, depth + 1), rootOf(r, depth + 1));
}

const secret = sha256(new TextEncoder().encode('test map secret'));
// Each record's first leaf salt (docs/spec/head-map.md section 2), made up for the tests.
const firstSalt = (record: string) => sha256(new TextEncoder().encode(`first salt ${record}`));
const saltOf = (record: string) => headMapKeySalt(secret, firstSalt(record), record);
const keyOf = (record: string) => headMapKey(saltOf(record), record);
const value = (leafIndex: number, count: number): HeadValue => ({
  leafIndex,
  count,
  commitment: sha256(Uint8Array.of(leafIndex & 255, leafIndex >> 8)),
});

describe('head map (pure)', () => {
  it('incremental updates in batches give the root of the whole set, and keep older roots provable', async () => {
    const store = memoryHeadMapStore();
    const truth = new Map<string, HeadValue>();
    let root = HEAD_MAP_EMPTY;
    const roots: { root: Uint8Array; state: Map<string, HeadValue> }[] = [];
    let leaf = 0;
    // Fixed batches: new records, then updates of old ones mixed with new ones.
    for (let batch = 0; batch < 12; batch++) {
      const changes = new Map<string, HeadValue>();
      for (let j = 0; j < 1 + ((batch * 7) % 9); j++) {
        const rec = `Observation/o-${(batch * 5 + j * 3) % 23}`;
        const count = (truth.get(rec)?.count ?? 0) + 1;
        changes.set(rec, value(leaf++, count));
        truth.set(rec, changes.get(rec)!);
      }
      root = await updateHeadMap(
        store,
        root,
        [...changes].map(([rec, v]) => ({ key: keyOf(rec), value: v })),
      );
      const expected = rootOf([...truth].map(([rec, v]) => ({ key: keyOf(rec), value: v })));
      expect(toHex(root)).toBe(toHex(expected));
      roots.push({ root, state: new Map(truth) });
    }
    // Every older root still proves its own heads, and absences.
    for (const { root: r, state } of roots) {
      for (let i = 0; i < 25; i++) {
        const rec = `Observation/o-${i}`;
        const key = keyOf(rec);
        const path = await proveHeadMap(store, r, key);
        expect(verifyHeadMapPath(r, key, path)).toBe(true);
        const want = state.get(rec);
        if (want === undefined) expect(path.value).toBeUndefined();
        else expect(path.value).toEqual(want);
      }
    }
  });

  it('a proof fails for a changed value, sibling, key, root or claimed absence', async () => {
    const store = memoryHeadMapStore();
    const recs = ['Consent/c-1', 'Consent/c-2', 'Consent/c-3', 'Observation/x'];
    const root = await updateHeadMap(
      store,
      HEAD_MAP_EMPTY,
      recs.map((r, i) => ({ key: keyOf(r), value: value(i, 1) })),
    );
    const key = keyOf('Consent/c-2');
    const path = await proveHeadMap(store, root, key);
    expect(path.value?.leafIndex).toBe(1);
    expect(verifyHeadMapPath(root, key, path)).toBe(true);
    expect(verifyHeadMapPath(root, key, { ...path, value: value(1, 2) })).toBe(false);
    expect(verifyHeadMapPath(root, keyOf('Consent/c-1'), path)).toBe(false);
    expect(verifyHeadMapPath(sha256(root), key, path)).toBe(false);
    const bent = path.siblings.map((s, i) => (i === 0 ? sha256(s) : s));
    expect(verifyHeadMapPath(root, key, { ...path, siblings: bent })).toBe(false);
    // Claiming the present key absent (dropping its value) fails.
    expect(verifyHeadMapPath(root, key, { siblings: path.siblings })).toBe(false);
    // An absent key: provable as absent, never as present.
    const gone = keyOf('Consent/c-9');
    const absent = await proveHeadMap(store, root, gone);
    expect(absent.value).toBeUndefined();
    expect(verifyHeadMapPath(root, gone, absent)).toBe(true);
    expect(verifyHeadMapPath(root, gone, { ...absent, value: value(0, 1) })).toBe(false);
    expect(verifyHeadMapPath(root, gone, { ...absent, siblings: [...absent.siblings, root] })).toBe(
      false,
    );
  });

  it('updates refuse a key twice and roots of the wrong length; a missing node is STORE_CORRUPT', async () => {
    const store = memoryHeadMapStore();
    const k = keyOf('A/1');
    await expect(
      updateHeadMap(store, HEAD_MAP_EMPTY, [
        { key: k, value: value(0, 1) },
        { key: k, value: value(1, 2) },
      ]),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(updateHeadMap(store, new Uint8Array(31), [])).rejects.toMatchObject({
      code: 'INVALID_LENGTH',
    });
    await expect(
      updateHeadMap(store, HEAD_MAP_EMPTY, [{ key: k, value: { ...value(0, 1), count: 0 } }]),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(store.size).toBe(0);
    await expect(proveHeadMap(store, sha256(k), k)).rejects.toMatchObject({
      code: 'STORE_CORRUPT',
    });
    expect(() => headMapKeySalt(new Uint8Array(16), firstSalt('A/1'), 'A/1')).toThrow(/32 bytes/);
    expect(() => headMapKeySalt(secret, new Uint8Array(31), 'A/1')).toThrow(/32 bytes/);
    expect(() => headMapKey(secret, '')).toThrow(/1 to 1024/);
    expect(() => headMapKey(secret, 'A/\uD800')).toThrow(/surrogate/);
  });

  it('the checkpoint line round-trips and refuses two roots or a bad one', () => {
    const root = sha256(Uint8Array.of(1));
    expect(headMapRootOf([headMapLine(root)])).toEqual(root);
    expect(headMapRootOf(['other ext'])).toBeUndefined();
    for (const lines of [
      [headMapLine(root), headMapLine(root)],
      ['medanchor/head-map/v1 AAAA'],
      ['medanchor/head-map/v2 x'],
      [`medanchor/head-map/v1 ${'!'.repeat(44)}`],
    ])
      expect(() => headMapRootOf(lines)).toThrow(
        expect.objectContaining({ code: 'CHECKPOINT_MALFORMED' }),
      );
  });
});

describe('head proof documents', () => {
  const logKey = generateNoteKey('example.org/log');
  const otherKey = generateNoteKey('example.org/log');

  async function fixture() {
    const store = memoryHeadMapStore();
    const recs = ['Consent/c-1', 'Consent/c-2', 'Consent/c-3'];
    const root = await updateHeadMap(
      store,
      HEAD_MAP_EMPTY,
      recs.map((r, i) => ({ key: keyOf(r), value: value(i, 1) })),
    );
    const text = `${formatCheckpointText({ origin: logKey.name, size: 3, root: sha256(root) })}${headMapLine(root)}\n`;
    const note = new TextDecoder().decode(signNote(text, [logKey]));
    const proofFor = async (rec: string) => {
      const salt = saltOf(rec);
      return headProofDocument(
        rec,
        salt,
        note,
        await proveHeadMap(store, root, headMapKey(salt, rec)),
      );
    };
    return { store, root, note, proofFor };
  }

  it('verifies a present and an absent record, and names the failing step otherwise', async () => {
    const { proofFor } = await fixture();
    const present = await proofFor('Consent/c-2');
    const ok = verifyHeadProof(JSON.parse(JSON.stringify(present)), { keys: [logKey] });
    expect(ok).toMatchObject({ ok: true, record: 'Consent/c-2', head: { leafIndex: 1, count: 1 } });
    expect(verifyHeadProof(JSON.stringify(present), { keys: [logKey] }).ok).toBe(true);
    const absent = await proofFor('Consent/c-7');
    const no = verifyHeadProof(absent, { keys: [logKey], record: 'Consent/c-7' });
    expect(no).toMatchObject({ ok: true, head: null });
    if (no.ok) expect(no.statement).toMatch(/no version/);

    const step = (p: unknown, opts: object = {}) => {
      const r = verifyHeadProof(p, { keys: [logKey], ...opts });
      return r.ok ? 'ok' : r.step;
    };
    expect(step(present, { keys: [otherKey] })).toBe('checkpoint');
    expect(step(present, { record: 'Consent/c-1' })).toBe('record');
    expect(step(present, { keySalt: new Uint8Array(32) })).toBe('key');
    expect(step({ ...present, record: 'Consent/c-1' })).toBe('path');
    expect(step({ ...present, keySalt: toHex(new Uint8Array(32)) })).toBe('path');
    expect(step({ ...present, head: { ...present.head!, leafIndex: 2 } })).toBe('path');
    expect(step({ ...present, head: null })).toBe('path');
    const { other: _other, ...absentPath } = absent;
    expect(step({ ...absentPath, head: present.head })).toBe('path');
    expect(step({ ...present, siblings: present.siblings.slice(1) })).toBe('path');
  });

  it('a head past the checkpoint size fails at head; a checkpoint without a map at map-root', async () => {
    const store = memoryHeadMapStore();
    const rec = 'Consent/c-1';
    const salt = saltOf(rec);
    const root = await updateHeadMap(store, HEAD_MAP_EMPTY, [
      { key: headMapKey(salt, rec), value: value(5, 1) },
    ]);
    const cp = formatCheckpointText({ origin: logKey.name, size: 5, root: root });
    const path = await proveHeadMap(store, root, headMapKey(salt, rec));
    const sign = (t: string) => new TextDecoder().decode(signNote(t, [logKey]));
    const past = headProofDocument(rec, salt, sign(`${cp}${headMapLine(root)}\n`), path);
    expect(verifyHeadProof(past, { keys: [logKey] })).toMatchObject({ ok: false, step: 'head' });
    const bare = headProofDocument(rec, salt, sign(cp), path);
    expect(verifyHeadProof(bare, { keys: [logKey] })).toMatchObject({
      ok: false,
      step: 'map-root',
      code: 'HEAD_MAP_UNAVAILABLE',
    });
  });

  it('hostile documents are HEAD_PROOF_MALFORMED naming the member, and verification never throws', async () => {
    const { proofFor } = await fixture();
    const good = await proofFor('Consent/c-1');
    const cases: [unknown, string][] = [
      [null, '(proof)'],
      ['{', '(text)'],
      ['x'.repeat(200_001), '(text)'],
      [[], '(proof)'],
      [{ ...good, type: 'x' }, 'type'],
      [{ ...good, version: 2 }, 'version'],
      [{ ...good, record: '' }, 'record'],
      [{ ...good, record: 'x'.repeat(1025) }, 'record'],
      [{ ...good, keySalt: 'AB'.repeat(32) }, 'keySalt'],
      [{ ...good, keySalt: 'ab' }, 'keySalt'],
      [{ ...good, checkpoint: 7 }, 'checkpoint'],
      [{ ...good, siblings: 'x' }, 'siblings'],
      [{ ...good, siblings: Array(257).fill('00'.repeat(32)) }, 'siblings'],
      [{ ...good, siblings: ['00'.repeat(31)] }, 'siblings[0]'],
      [{ ...good, head: { ...good.head!, leafIndex: -1 } }, 'head.leafIndex'],
      [{ ...good, head: { ...good.head!, count: 0 } }, 'head.count'],
      [{ ...good, head: { ...good.head!, count: 2 ** 53 } }, 'head.count'],
      [{ ...good, head: { ...good.head!, extra: 1 } }, 'head.extra'],
      [{ ...good, other: { key: good.keySalt, valueHash: good.keySalt } }, 'other'],
      [{ ...good, head: null, other: { key: good.keySalt } }, 'other.valueHash'],
      [{ ...good, surprise: true }, '(proof).surprise'],
      [JSON.parse('{"__proto__": {"x": 1}}'), '(proof).__proto__'],
    ];
    for (const [input, member] of cases) {
      let err: unknown;
      try {
        parseHeadProof(input);
      } catch (e) {
        err = e;
      }
      expect(isMedanchorError(err) && err.code, member).toBe('HEAD_PROOF_MALFORMED');
      expect((err as { details?: { member?: string } }).details?.member, member).toBe(member);
      const r = verifyHeadProof(input, { keys: [logKey] });
      expect(r).toMatchObject({ ok: false, step: 'shape' });
    }
    // A note that is not a checkpoint, and no keys at all, are failures, not throws.
    expect(verifyHeadProof({ ...good, checkpoint: 'garbage' }, { keys: [logKey] })).toMatchObject({
      ok: false,
      step: 'checkpoint',
    });
    expect(verifyHeadProof(good, undefined as never)).toMatchObject({ ok: false });
  });
});
