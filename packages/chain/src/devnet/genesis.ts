import { fromHex } from '@medanchor/core';
import { Block, Transaction } from 'bitcoinjs-lib';

// The regtest genesis block is mainnet's genesis coinbase under regtest's header
// fields (time 1296688602, nBits 0x207fffff, nonce 2). Its output is unspendable by
// consensus, so it never enters the UTXO set.
const GENESIS_SCRIPT_SIG =
  '04ffff001d0104455468652054696d65732030332f4a616e2f32303039204368616e63656c6c6f72206f6e206272696e6b206f66207365636f6e64206261696c6f757420666f722062616e6b73';
const GENESIS_OUTPUT_SCRIPT =
  '4104678afdb0fe5548271967f1a67130b7105cd6a828e03909a67962e0ea1f61deb649f6bc3f4cef38c4f35504e51ec112de5c384df7ba0b8d578a4c702b6bf11d5fac';

/** Display-order hash of Bitcoin's regtest genesis block. */
export const REGTEST_GENESIS_HASH =
  '0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206';

/** The compact target of every regtest block (no retargeting on regtest). */
export const REGTEST_BITS = 0x207fffff;

/** Builds Bitcoin's regtest genesis block (header and its one coinbase transaction). */
export function regtestGenesisBlock(): Block {
  const coinbase = new Transaction();
  coinbase.version = 1;
  coinbase.addInput(new Uint8Array(32), 0xffffffff, 0xffffffff, fromHex(GENESIS_SCRIPT_SIG));
  coinbase.addOutput(fromHex(GENESIS_OUTPUT_SCRIPT), 5_000_000_000n);
  const block = new Block();
  block.version = 1;
  block.prevHash = new Uint8Array(32);
  block.timestamp = 1296688602;
  block.bits = REGTEST_BITS;
  block.nonce = 2;
  block.transactions = [coinbase];
  block.merkleRoot = Block.calculateMerkleRoot([coinbase]);
  return block;
}
