// Electrum protocol answers computed from a litecoind regtest node, like a tiny
// ElectrumX: script hashes are resolved by scanning every block and the mempool on
// each request (fine for a regtest chain of a few hundred blocks).
import { createHash } from 'node:crypto';
import { hashFromDisplayHex, hashToDisplayHex } from '../../src/bitcoin/hash.js';
import { bitcoinMerkleBranch, foldMerkleBranch } from '../../src/bitcoin/merkle.js';
import { type ElectrumHandler, ElectrumServerError } from './electrum-server.js';

type Rpc = <T = unknown>(method: string, params?: unknown[]) => Promise<T>;

interface VerboseTx {
  txid: string;
  vin: { txid?: string; vout?: number }[];
  vout: { value: number; n: number; scriptPubKey: { hex: string } }[];
}

interface VerboseBlock {
  hash: string;
  height: number;
  previousblockhash?: string;
  tx: VerboseTx[];
}

const scriptHashOf = (scriptHex: string) =>
  createHash('sha256').update(Buffer.from(scriptHex, 'hex')).digest().reverse().toString('hex');
const sats = (v: number) => Math.round(v * 1e8);

/** A handler answering Electrum requests from a node's JSON-RPC `rpc`. */
export function litecoindElectrumHandler(rpc: Rpc): ElectrumHandler {
  // Blocks never change once seen (by hash); the best chain is rebuilt from the tip
  // back through the cache, so a new block costs one getblock.
  const blocksByHash = new Map<string, VerboseBlock>();
  const headers = new Map<string, string>();
  let view: { best: string; blocks: VerboseBlock[] } | undefined;

  async function chain(): Promise<VerboseBlock[]> {
    const best = await rpc<string>('getbestblockhash');
    if (view?.best === best) return view.blocks;
    const blocks: VerboseBlock[] = [];
    for (let hash: string | undefined = best; hash !== undefined; ) {
      let block = blocksByHash.get(hash);
      if (block === undefined) {
        block = await rpc<VerboseBlock>('getblock', [hash, 2]);
        blocksByHash.set(hash, block);
      }
      blocks.push(block);
      hash = block.previousblockhash;
    }
    blocks.reverse();
    view = { best, blocks };
    return blocks;
  }

  async function blockAt(height: number): Promise<VerboseBlock> {
    const block = (await chain())[height];
    if (block === undefined) throw new ElectrumServerError(1, `height ${height} out of range`);
    return block;
  }

  async function headerHex(height: number): Promise<string> {
    const { hash } = await blockAt(height);
    let hex = headers.get(hash);
    if (hex === undefined) {
      hex = await rpc<string>('getblockheader', [hash, false]);
      headers.set(hash, hex);
    }
    return hex;
  }

  async function scan(scriptHash: string) {
    const funding = new Map<
      string,
      { txid: string; vout: number; value: number; height: number }
    >();
    const spent = new Set<string>();
    const history = new Map<string, number>();
    const visit = (tx: VerboseTx, height: number) => {
      for (const i of tx.vin) {
        const key = `${i.txid}:${i.vout}`;
        if (funding.has(key)) {
          spent.add(key);
          history.set(tx.txid, height);
        }
      }
      for (const o of tx.vout) {
        if (scriptHashOf(o.scriptPubKey.hex) !== scriptHash) continue;
        funding.set(`${tx.txid}:${o.n}`, {
          txid: tx.txid,
          vout: o.n,
          value: sats(o.value),
          height,
        });
        history.set(tx.txid, height);
      }
    };
    for (const block of await chain()) for (const tx of block.tx) visit(tx, block.height);
    const pool = await rpc<string[]>('getrawmempool', [false]);
    const txs = await Promise.all(
      pool.map((id) => rpc<VerboseTx>('getrawtransaction', [id, true])),
    );
    // Twice, so a mempool spend of a mempool output is seen whatever the order.
    for (let pass = 0; pass < 2; pass++) for (const tx of txs) visit(tx, 0);
    return { funding, spent, history };
  }

  const handler: ElectrumHandler = async (method, params) => {
    switch (method) {
      case 'server.version':
        return ['medanchor-test-electrum 0.1', '1.4'];
      case 'server.ping':
        return null;
      case 'blockchain.headers.subscribe': {
        const hash = await rpc<string>('getbestblockhash');
        const { height } = await rpc<{ height: number }>('getblockheader', [hash, true]);
        return { height, hex: await rpc<string>('getblockheader', [hash, false]) };
      }
      case 'blockchain.block.header': {
        const [height, cp = 0] = params as [number, number?];
        const hex = await headerHex(height);
        if (!cp) return hex;
        if (height > cp) throw new ElectrumServerError(1, 'height above checkpoint');
        const hashes: Uint8Array[] = [];
        for (const b of (await chain()).slice(0, cp + 1)) hashes.push(hashFromDisplayHex(b.hash));
        const branch = bitcoinMerkleBranch(hashes, height);
        const root = foldMerkleBranch(hashes[height]!, height, branch);
        return { header: hex, branch: branch.map(hashToDisplayHex), root: hashToDisplayHex(root) };
      }
      case 'blockchain.block.headers': {
        const [start, count] = params as [number, number];
        const tip = (await chain()).length - 1;
        const n = Math.max(0, Math.min(count, 2016, tip - start + 1));
        let hex = '';
        for (let h = start; h < start + n; h++) hex += await headerHex(h);
        return { count: n, hex, max: 2016 };
      }
      case 'blockchain.transaction.get':
        try {
          return await rpc<string>('getrawtransaction', [params[0], false]);
        } catch (e) {
          throw new ElectrumServerError(2, `daemon error: ${(e as Error).message}`);
        }
      case 'blockchain.transaction.get_merkle': {
        const [txid, height] = params as [string, number];
        const ids = (await blockAt(height)).tx.map((t) => t.txid);
        const pos = ids.indexOf(txid);
        if (pos < 0)
          throw new ElectrumServerError(1, `tx ${txid} not in block at height ${height}`);
        const leaves = ids.map((t) => hashFromDisplayHex(t));
        const merkle = bitcoinMerkleBranch(leaves, pos).map(hashToDisplayHex);
        return { block_height: height, merkle, pos };
      }
      case 'blockchain.transaction.id_from_pos': {
        const [height, pos] = params as [number, number];
        const txid = (await blockAt(height)).tx[pos]?.txid;
        if (txid === undefined) throw new ElectrumServerError(1, `no tx at position ${pos}`);
        return txid;
      }
      case 'blockchain.scripthash.get_history': {
        const { history } = await scan(String(params[0]));
        return [...history].map(([tx_hash, height]) => ({ tx_hash, height }));
      }
      case 'blockchain.scripthash.listunspent': {
        const { funding, spent } = await scan(String(params[0]));
        return [...funding]
          .filter(([key]) => !spent.has(key))
          .map(([, u]) => ({ tx_hash: u.txid, tx_pos: u.vout, value: u.value, height: u.height }));
      }
      case 'blockchain.estimatefee': {
        const r = await rpc<{ feerate?: number }>('estimatesmartfee', [params[0]]);
        return r.feerate ?? -1;
      }
      case 'blockchain.relayfee':
        return 0.00001;
      case 'blockchain.transaction.broadcast':
        try {
          return await rpc<string>('sendrawtransaction', [params[0]]);
        } catch (e) {
          // ElectrumX's wording: the node's reason, then the raw transaction.
          throw new ElectrumServerError(
            1,
            `the transaction was rejected by network rules.\n\n${(e as Error).message.replace(/^sendrawtransaction: /, '')}\n[${String(params[0])}]`,
          );
        }
      default:
        throw new ElectrumServerError(-32601, `unknown method "${method}"`);
    }
  };

  return handler;
}
