/**
 * Everything medanchor needs to know about a Bitcoin-derived network, as plain data:
 * address prefixes, the genesis block, the proof-of-work limit and hash, and the
 * difficulty retarget rules. Describe a new network with {@link defineNetwork}.
 */
export interface NetworkParams {
  /** Short name, e.g. `mainnet`; SPV proofs carry it. */
  name: string;
  /** Human-readable part of segwit addresses (`bc`, `tb`, `bcrt`, `rltc`). */
  bech32: string;
  /** Base58 version byte of P2PKH addresses. */
  pubKeyHash: number;
  /** Base58 version byte of P2SH addresses. */
  scriptHash: number;
  /** Base58 version byte of WIF private keys. */
  wif: number;
  /** BIP32 extended key version bytes (xpub/xprv and the like). */
  bip32: { public: number; private: number };
  /** Prefix of signed messages, e.g. `"\x18Bitcoin Signed Message:\n"`. */
  messagePrefix: string;
  /** The 80-byte genesis header, hex. */
  genesisHeader: string;
  /** The genesis block hash, display order hex. */
  genesisHash: string;
  /** The easiest allowed target (the highest target a header may claim). */
  powLimit: bigint;
  /** Proof-of-work hash of a header: Bitcoin's `sha256d`, or Litecoin's `scrypt` (N=1024, r=1, p=1). */
  powHash: 'sha256d' | 'scrypt';
  /** Difficulty retarget rules. */
  retarget: {
    /** Blocks per difficulty epoch (2016 on Bitcoin). */
    interval: number;
    /** Intended duration of one epoch in seconds (1,209,600 = two weeks on Bitcoin). */
    targetTimespan: number;
    /** Difficulty never changes (regtest). */
    noRetarget: boolean;
    /** A block more than twice the target spacing after its parent may use the minimum difficulty (testnets). */
    allowMinDifficulty: boolean;
  };
}
