// StoreReceiptBuilder.checkpointFor: the checkpoint that sealed a leaf, as the store says,
// looked up once per checkpoint range and then answered from memory.
import { describe, expect, it } from 'vitest';
import {
  type LedgerStore,
  memoryLedgerStore,
  StoreReceiptBuilder,
  sealCheckpoint,
  sequencePending,
  sha256,
  utf8,
} from '../../src/index.js';

async function sealedStore(seals: number[], tail: number): Promise<LedgerStore> {
  const store = memoryLedgerStore({ origin: 'builder.example/log' });
  const lease = (await store.acquireLease('test', 60_000))!;
  let n = 0;
  const add = async (count: number) => {
    await store.addPending(
      Array.from({ length: count }, () => {
        n++;
        return { salt: sha256(utf8(`salt ${n}`)), digest: sha256(utf8(`record ${n}`)) };
      }),
    );
    await sequencePending(store, lease, 10_000);
  };
  for (const size of seals) {
    await add(size - n);
    await sealCheckpoint(store, lease);
  }
  await add(tail);
  return store;
}

describe('StoreReceiptBuilder.checkpointFor', () => {
  it('answers what checkpointCovering answers, looking each sealed range up once', async () => {
    const store = await sealedStore([100, 250, 260], 15);
    let lookups = 0;
    const counted = new Proxy(store, {
      get(target, name, receiver) {
        const v = Reflect.get(target, name, receiver);
        if (name !== 'checkpointCovering' || typeof v !== 'function') return v;
        return (leaf: number) => {
          lookups++;
          return v.call(target, leaf);
        };
      },
    });
    const builder = new StoreReceiptBuilder(counted);
    const all = Array.from({ length: 275 }, (_, i) => i);
    for (const i of all)
      expect((await builder.checkpointFor(i))?.size).toBe(
        (await store.checkpointCovering(i))?.size,
      );
    // One lookup per checkpoint (at its first leaf), and one per unsealed leaf (not kept:
    // a seal may cover it any moment).
    expect(lookups).toBe(3 + 15);
    lookups = 0;
    // Any order now: the sealed ranges are known.
    for (let k = 0; k < 260; k++) {
      const i = (k * 157) % 260;
      expect((await builder.checkpointFor(i))?.size).toBe(i < 100 ? 100 : i < 250 ? 250 : 260);
    }
    expect(lookups).toBe(0);
    // Receipts take the checkpoint from the same place.
    expect((await builder.build(255)).checkpoint.size).toBe(260);
    expect(lookups).toBe(0);
  });

  it('learns a range downwards: a leaf below the lowest one looked up is asked again', async () => {
    const store = await sealedStore([100], 0);
    let lookups = 0;
    const counted = new Proxy(store, {
      get(target, name, receiver) {
        const v = Reflect.get(target, name, receiver);
        if (name !== 'checkpointCovering' || typeof v !== 'function') return v;
        return (leaf: number) => {
          lookups++;
          return v.call(target, leaf);
        };
      },
    });
    const builder = new StoreReceiptBuilder(counted);
    expect((await builder.checkpointFor(60))?.size).toBe(100);
    expect((await builder.checkpointFor(99))?.size).toBe(100);
    expect(lookups).toBe(1);
    expect((await builder.checkpointFor(10))?.size).toBe(100);
    expect(lookups).toBe(2);
    expect((await builder.checkpointFor(30))?.size).toBe(100);
    expect((await builder.checkpointFor(100))?.size).toBeUndefined();
    expect(lookups).toBe(3);
  });
});
