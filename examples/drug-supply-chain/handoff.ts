// A hand-off of a medication lot from one trading partner to the next: a FHIR R4
// SupplyDelivery signed by the sender, and an acknowledgment signed by the receiver,
// both with Bitcoin keys (BIP-322, P2TR). The stamped bytes are the canonical JSON of
// the whole hand-off, so a receipt covers the record and both signatures.
import { fromHex, sha256, toHex, utf8 } from '@medanchor/core';
import {
  canonicalJsonBytes,
  consentSignerForKey,
  type FhirCodeableConcept,
  type FhirExtension,
  type FhirReference,
  p2trAddress,
  signBip322,
} from '@medanchor/crypto';

/** GS1 identifier systems as FHIR names them. */
export const GLN_SYSTEM = 'https://www.gs1.org/gln';
export const GTIN_SYSTEM = 'https://www.gs1.org/gtin';
/** Extension linking a hand-off to the one before it, by digest. */
export const PREVIOUS_HANDOFF_URL =
  'https://trace.example/fhir/StructureDefinition/previous-hand-off';
/** The bech32 prefix of the signing addresses (the signatures hold no funds). */
const HRP = 'bcrt';

/** A trading partner as the directory publishes it: no secret here. */
export interface Party {
  name: string;
  role: 'manufacturer' | 'distributor' | 'pharmacy';
  /** GS1 Global Location Number. */
  gln: string;
  /** BIP-340 x-only public key, hex: its P2TR address is what signs. */
  publicKey: string;
}

/** The lot being traced. */
export interface Lot {
  /** GS1 Global Trade Item Number of the pack. */
  gtin: string;
  lotNumber: string;
  expires: string;
}

/**
 * The FHIR R4 SupplyDelivery fields this example fills in (shaped like `fhir/r4`'s
 * SupplyDelivery; the examples folder does not depend on @types/fhir itself).
 */
export interface SupplyDelivery {
  resourceType: 'SupplyDelivery';
  id: string;
  extension?: FhirExtension[];
  status: 'in-progress' | 'completed';
  contained: [
    {
      resourceType: 'Medication';
      id: 'lot';
      code: FhirCodeableConcept;
      batch: { lotNumber: string; expirationDate: string };
    },
  ];
  suppliedItem: {
    quantity: { value: number; unit: string };
    itemReference: FhirReference;
  };
  occurrenceDateTime: string;
  /** The sender, by GLN. */
  supplier: FhirReference;
  /** The receiver's site, by GLN. */
  destination: FhirReference;
}

/** What the receiver signs: which delivery arrived, how many packs, when. */
export interface Acknowledgment {
  /** Hex digest of the delivery record (see {@link deliveryDigest}). */
  delivery: string;
  quantity: number;
  receivedAt: string;
}

/** One hand-off, as exchanged and stamped. */
export interface HandOff {
  delivery: SupplyDelivery;
  /** The sender's BIP-322 signature of {@link shippedMessage}. */
  shipped: string;
  acknowledgment: Acknowledgment;
  /** The receiver's BIP-322 signature of {@link receivedMessage}. */
  received: string;
}

/** A party's signing identity: the P2TR address of its public key. */
export function partyAddress(publicKey: string): string {
  return p2trAddress(fromHex(publicKey), HRP);
}

/** The public half of a party's secret key (x-only, hex). */
export function publicKeyOf(secretKey: Uint8Array): string {
  const signer = consentSignerForKey(secretKey, 'bip340');
  return signer.scheme === 'bip340' ? signer.publicKey : '';
}

/** SHA-256 of the delivery's canonical JSON (RFC 8785), hex. */
export function deliveryDigest(delivery: SupplyDelivery): string {
  return toHex(sha256(canonicalJsonBytes(delivery)));
}

/** The text the sender signs: it names the delivery by digest. */
export function shippedMessage(delivery: SupplyDelivery): string {
  return `trace.example hand-off shipped ${deliveryDigest(delivery)}`;
}

/** The text the receiver signs: it names the acknowledgment by digest. */
export function receivedMessage(ack: Acknowledgment): string {
  return `trace.example hand-off received ${toHex(sha256(canonicalJsonBytes(ack)))}`;
}

/** The bytes stamped into the ledger: the whole hand-off, canonical JSON. */
export function stampedBytes(handOff: HandOff): Uint8Array {
  return canonicalJsonBytes(handOff);
}

/** The GLN a reference names (undefined when it names none). */
export function glnOf(ref: FhirReference | undefined): string | undefined {
  return ref?.identifier?.system === GLN_SYSTEM ? ref.identifier.value : undefined;
}

/** The previous hand-off's digest a delivery links to, if any. */
export function previousOf(delivery: SupplyDelivery): string | undefined {
  return delivery.extension?.find((e) => e.url === PREVIOUS_HANDOFF_URL)?.valueString;
}

/** Inputs of {@link shipLot}. */
export interface Shipment {
  id: string;
  from: Party;
  to: Party;
  lot: Lot;
  quantity: number;
  shippedAt: string;
  /** The delivery this one continues (absent for the first hand-off from the maker). */
  previous?: SupplyDelivery;
}

/** The sender writes the delivery record and signs it. */
export function shipLot(s: Shipment, senderKey: Uint8Array): Pick<HandOff, 'delivery' | 'shipped'> {
  const delivery: SupplyDelivery = {
    resourceType: 'SupplyDelivery',
    id: s.id,
    ...(s.previous === undefined
      ? {}
      : {
          extension: [{ url: PREVIOUS_HANDOFF_URL, valueString: deliveryDigest(s.previous) }],
        }),
    status: 'in-progress',
    contained: [
      {
        resourceType: 'Medication',
        id: 'lot',
        code: { coding: [{ system: GTIN_SYSTEM, code: s.lot.gtin }] },
        batch: { lotNumber: s.lot.lotNumber, expirationDate: s.lot.expires },
      },
    ],
    suppliedItem: {
      quantity: { value: s.quantity, unit: 'pack' },
      itemReference: { reference: '#lot' },
    },
    occurrenceDateTime: s.shippedAt,
    supplier: { identifier: { system: GLN_SYSTEM, value: s.from.gln }, display: s.from.name },
    destination: { identifier: { system: GLN_SYSTEM, value: s.to.gln }, display: s.to.name },
  };
  return {
    delivery,
    shipped: signBip322(shippedMessage(delivery), partyAddress(s.from.publicKey), senderKey),
  };
}

/** The receiver counts what arrived and signs the acknowledgment. */
export function acknowledgeLot(
  shipped: Pick<HandOff, 'delivery' | 'shipped'>,
  receiver: Party,
  receiverKey: Uint8Array,
  quantity: number,
  receivedAt: string,
): HandOff {
  const acknowledgment: Acknowledgment = {
    delivery: deliveryDigest(shipped.delivery),
    quantity,
    receivedAt,
  };
  return {
    ...shipped,
    acknowledgment,
    received: signBip322(
      receivedMessage(acknowledgment),
      partyAddress(receiver.publicKey),
      receiverKey,
    ),
  };
}

/** A deterministic example key (never use a derived key like this for real). */
export function exampleKey(name: string): Uint8Array {
  return sha256(utf8(`example supply-chain key ${name}: not for real use`));
}
