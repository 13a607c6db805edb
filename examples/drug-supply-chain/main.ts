// A medication lot's chain of custody: manufacturer -> distributor -> pharmacy. Each
// hand-off is a FHIR SupplyDelivery signed by the sender and acknowledged by the
// receiver (Bitcoin keys, BIP-322), stamped into a shared traceability ledger and
// anchored on devnet. A verifier holding only the hand-offs, the receipts and the
// parties' public keys then checks the custody end to end, and catches tampering.
import { type Ledger, openLedger, regtest } from '@medanchor/chain';
import { MemoryJournal, type Receipt } from '@medanchor/core';
import { devAnchoring } from '../shared/dev-anchoring.js';
import {
  acknowledgeLot,
  exampleKey,
  type HandOff,
  type Lot,
  type Party,
  publicKeyOf,
  shipLot,
  stampedBytes,
} from './handoff.js';
import { type CustodyVerification, verifyCustody } from './verify-custody.js';

/** What the example shows: the intact custody, and the checks that caught each forgery. */
export interface SupplyChainResult {
  handOffs: number;
  intact: boolean;
  altered: string[];
  diverted: string[];
  counterfeit: string[];
}

// The checks that failed, each named once, in the order they were found.
function caughtBy(v: CustodyVerification): string[] {
  return v.ok ? [] : [...new Set(v.failures.map((f) => f.check))];
}

export async function main(): Promise<SupplyChainResult> {
  const { devnet, anchorer, verifier } = await devAnchoring('drug-supply-chain');
  // One ledger the trading partners share (e.g. run by an industry traceability service).
  const ledger: Ledger = await openLedger({
    origin: 'trace.example/lot-ledger',
    journal: new MemoryJournal(),
    anchorer,
    network: regtest,
  });
  // Each completed hand-off is stamped, sealed and anchored in its own block.
  const stamp = async (h: HandOff): Promise<number> => {
    const { leafIndex } = await ledger.add(stampedBytes(h));
    await ledger.seal();
    await devnet.test.mine(1);
    await ledger.sync();
    return leafIndex;
  };

  // The three trading partners; the directory publishes names, GLNs and public keys.
  const keys = {
    maker: exampleKey('Northwind Pharma'),
    distributor: exampleKey('Harbor Distribution'),
    pharmacy: exampleKey('Elm Street Pharmacy'),
  };
  const maker: Party = {
    name: 'Northwind Pharma',
    role: 'manufacturer',
    gln: '0614141000012',
    publicKey: publicKeyOf(keys.maker),
  };
  const distributor: Party = {
    name: 'Harbor Distribution',
    role: 'distributor',
    gln: '0614141000029',
    publicKey: publicKeyOf(keys.distributor),
  };
  const pharmacy: Party = {
    name: 'Elm Street Pharmacy',
    role: 'pharmacy',
    gln: '0614141000036',
    publicKey: publicKeyOf(keys.pharmacy),
  };
  const parties = [maker, distributor, pharmacy];
  const lot: Lot = { gtin: '00614141123452', lotNumber: 'NW24-0117', expires: '2027-06-30' };

  // Hand-off 1: the manufacturer ships 1,200 packs; the distributor counts and signs.
  const toDistributor = acknowledgeLot(
    shipLot(
      {
        id: 'ship-nw24-0117-1',
        from: maker,
        to: distributor,
        lot,
        quantity: 1200,
        shippedAt: '2025-03-03T08:00:00Z',
      },
      keys.maker,
    ),
    distributor,
    keys.distributor,
    1200,
    '2025-03-04T14:30:00Z',
  );
  // Hand-off 2: the distributor ships them on to the pharmacy.
  const toPharmacy = acknowledgeLot(
    shipLot(
      {
        id: 'ship-nw24-0117-2',
        from: distributor,
        to: pharmacy,
        lot,
        quantity: 1200,
        shippedAt: '2025-03-05T07:15:00Z',
        previous: toDistributor.delivery,
      },
      keys.distributor,
    ),
    pharmacy,
    keys.pharmacy,
    1200,
    '2025-03-05T16:40:00Z',
  );
  const leaves = [await stamp(toDistributor), await stamp(toPharmacy)];

  // A second lot, where 60 packs go missing between distributor and pharmacy: both
  // sides sign honestly, so only the counts can tell.
  const lotB: Lot = { ...lot, lotNumber: 'NW24-0118' };
  const bToDistributor = acknowledgeLot(
    shipLot(
      {
        id: 'ship-nw24-0118-1',
        from: maker,
        to: distributor,
        lot: lotB,
        quantity: 600,
        shippedAt: '2025-03-03T08:00:00Z',
      },
      keys.maker,
    ),
    distributor,
    keys.distributor,
    600,
    '2025-03-04T14:30:00Z',
  );
  const bToPharmacy = acknowledgeLot(
    shipLot(
      {
        id: 'ship-nw24-0118-2',
        from: distributor,
        to: pharmacy,
        lot: lotB,
        quantity: 600,
        shippedAt: '2025-03-05T07:15:00Z',
        previous: bToDistributor.delivery,
      },
      keys.distributor,
    ),
    pharmacy,
    keys.pharmacy,
    540,
    '2025-03-05T16:40:00Z',
  );
  const leavesB = [await stamp(bToDistributor), await stamp(bToPharmacy)];

  // A counterfeiter passes off 300 packs as lot NW24-0117 from Harbor Distribution,
  // signing with its own key; the pharmacy, fooled, acknowledges and it gets anchored.
  const counterfeiterKey = exampleKey('counterfeiter');
  const fake = acknowledgeLot(
    shipLot(
      {
        id: 'ship-nw24-0117-x',
        from: { ...distributor, publicKey: publicKeyOf(counterfeiterKey) },
        to: pharmacy,
        lot,
        quantity: 300,
        shippedAt: '2025-03-06T09:00:00Z',
        previous: toDistributor.delivery,
      },
      counterfeiterKey,
    ),
    pharmacy,
    keys.pharmacy,
    300,
    '2025-03-06T11:00:00Z',
  );
  const fakeLeaf = await stamp(fake);

  // Six more blocks: every anchor is now deep enough for level 3.
  await devnet.test.mine(6);
  await ledger.sync();
  const receiptOf = async (leaf: number): Promise<Receipt> => (await ledger.receipt(leaf))!;
  const receipts = await Promise.all(leaves.map(receiptOf));
  await ledger.close();

  // The verifier's view: hand-offs, receipts, the directory's public keys, the lot.
  const verify = (handOffs: HandOff[], rs: unknown[], which: Lot = lot) =>
    verifyCustody({ handOffs, receipts: rs, parties, lot: which, anchors: verifier });

  const genuine = await verify([toDistributor, toPharmacy], receipts);

  // Someone edits the pharmacy hand-off after the fact: 1,200 packs become 1,000.
  const edited = structuredClone(toPharmacy);
  edited.delivery.suppliedItem.quantity.value = 1000;
  const altered = await verify([toDistributor, edited], receipts);

  const diverted = await verify(
    [bToDistributor, bToPharmacy],
    await Promise.all(leavesB.map(receiptOf)),
    lotB,
  );
  const counterfeit = await verify([toDistributor, fake], [receipts[0], await receiptOf(fakeLeaf)]);

  console.log(`drug-supply-chain: lot ${lot.lotNumber} (GTIN ${lot.gtin})`);
  if (genuine.ok) {
    genuine.steps.forEach((s, i) => {
      console.log(
        `  hand-off ${i + 1}: ${s.from} -> ${s.to}, ${s.quantity} packs, anchored in block ${s.height}`,
      );
    });
    console.log('  custody intact: signatures, links, lot, counts and anchors all check out');
  }
  for (const [label, v] of [
    ['record edited after signing', altered],
    ['packs lost in transit (lot NW24-0118)', diverted],
    ['counterfeit hand-off', counterfeit],
  ] as const) {
    const first = v.ok ? undefined : v.failures[0];
    console.log(
      first === undefined
        ? `  ${label}: NOT caught`
        : `  ${label}: caught by '${first.check}' at hand-off ${first.handOff}: ${first.reason}`,
    );
  }

  return {
    handOffs: genuine.ok ? genuine.steps.length : 0,
    intact: genuine.ok,
    altered: caughtBy(altered),
    diverted: caughtBy(diverted),
    counterfeit: caughtBy(counterfeit),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
