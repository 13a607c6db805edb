import { type FileHandle, mkdir, open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MedanchorError } from '../../errors.js';
import type { StoredAnchor } from '../../store/types.js';
import { ioError, readAt, writeAll, writeFileAtomic } from './files.js';

interface OpenEntry {
  seq: number;
  state: unknown;
}

interface OpenFile {
  nextSeq: number;
  anchors: Record<string, OpenEntry>;
}

/**
 * Anchor state in two files under `anchors/`: `open.json`, the anchors that are not
 * final (small; rewritten atomically on each save and read at open), and
 * `final.jsonl`, one line per anchor that became final (append-only; read only when
 * final anchors are asked for). Each save carries a sequence number: when a digest is
 * in both, the higher number wins (a crash between the two writes leaves the anchor
 * listed once more as not final, which only costs the anchorer one more check).
 */
export class AnchorFiles {
  private readonly dir: string;
  private data: OpenFile;
  private finalFh: FileHandle | undefined;
  private finalBytes = 0;
  // digest -> where its latest final line is; built on first use by one scan.
  private finalIndex: Map<string, { seq: number; at: number; length: number }> | undefined;

  private constructor(dir: string, data: OpenFile) {
    this.dir = dir;
    this.data = data;
  }

  /** Opens (creating) the anchor files in `dir`. */
  static async open(dir: string): Promise<AnchorFiles> {
    let data: OpenFile = { nextSeq: 1, anchors: {} };
    try {
      await mkdir(dir, { recursive: true });
      try {
        data = JSON.parse(await readFile(join(dir, 'open.json'), 'utf8')) as OpenFile;
      } catch (e) {
        if ((e as { code?: string }).code !== 'ENOENT') {
          if (e instanceof SyntaxError) {
            throw new MedanchorError(
              'STORE_CORRUPT',
              "the ledger store's anchors/open.json is damaged: restore it from a backup",
            );
          }
          throw e;
        }
      }
      const a = new AnchorFiles(dir, data);
      a.finalFh = await open(join(dir, 'final.jsonl'), 'a+');
      a.finalBytes = (await a.finalFh.stat()).size;
      return a;
    } catch (e) {
      throw ioError('anchors', e);
    }
  }

  /** Anchors, optionally only final or only not-final ones. */
  async load(final?: boolean): Promise<StoredAnchor[]> {
    const out: StoredAnchor[] = [];
    if (final !== true) {
      for (const [digest, e] of Object.entries(this.data.anchors)) {
        out.push({ digest, state: structuredClone(e.state), final: false });
      }
    }
    if (final !== false) {
      for (const [digest, e] of await this.finals()) {
        const open = this.data.anchors[digest];
        if (open !== undefined && open.seq > e.seq) continue;
        out.push({ digest, state: e.state, final: true });
      }
    }
    return out;
  }

  /** The state of one digest, final or not, or `undefined`. */
  async get(digest: string): Promise<StoredAnchor | undefined> {
    const open = this.data.anchors[digest];
    const index = await this.index();
    const fin = index.get(digest);
    if (fin !== undefined && (open === undefined || fin.seq > open.seq)) {
      const line = readAt(this.finalFh!, fin.at, fin.length, 'anchors');
      const r = JSON.parse(new TextDecoder().decode(line)) as { state: unknown };
      return { digest, state: r.state, final: true };
    }
    return open === undefined
      ? undefined
      : { digest, state: structuredClone(open.state), final: false };
  }

  private async index(): Promise<Map<string, { seq: number; at: number; length: number }>> {
    if (this.finalIndex === undefined) {
      const bytes = new Uint8Array(await readFile(join(this.dir, 'final.jsonl')));
      const index = new Map<string, { seq: number; at: number; length: number }>();
      const dec = new TextDecoder();
      let start = 0;
      for (let i = 0; i < bytes.length; i++) {
        if (bytes[i] !== 0x0a) continue;
        try {
          const r = JSON.parse(dec.decode(bytes.subarray(start, i))) as {
            digest: string;
            seq: number;
          };
          const have = index.get(r.digest);
          if (have === undefined || have.seq < r.seq) {
            index.set(r.digest, { seq: r.seq, at: start, length: i - start });
          }
        } catch {
          // a torn line (crash mid-append): never acknowledged
        }
        start = i + 1;
      }
      this.finalIndex = index;
    }
    return this.finalIndex;
  }

  /** Saves the state of `digest` (JSON text already checked), durably. */
  async save(digest: string, json: string, final: boolean): Promise<void> {
    const seq = this.data.nextSeq;
    const next: OpenFile = { nextSeq: seq + 1, anchors: { ...this.data.anchors } };
    try {
      if (final) {
        const line = new TextEncoder().encode(
          `{"digest":"${digest}","seq":${seq},"state":${json}}\n`,
        );
        await writeAll(this.finalFh!, line, this.finalBytes);
        await this.finalFh!.datasync();
        this.finalIndex?.set(digest, { seq, at: this.finalBytes, length: line.length - 1 });
        this.finalBytes += line.length;
        delete next.anchors[digest];
      } else {
        next.anchors[digest] = { seq, state: JSON.parse(json) };
      }
      await writeFileAtomic(
        join(this.dir, 'open.json'),
        new TextEncoder().encode(JSON.stringify(next)),
      );
    } catch (e) {
      throw ioError('anchors', e);
    }
    this.data = next;
  }

  private async finals(): Promise<Map<string, OpenEntry>> {
    const text = await readFile(join(this.dir, 'final.jsonl'), 'utf8');
    const out = new Map<string, OpenEntry>();
    for (const line of text.split('\n')) {
      if (line === '') continue;
      let r: { digest: string; seq: number; state: unknown };
      try {
        r = JSON.parse(line);
      } catch {
        continue; // a torn last line (crash mid-append): that save was never acknowledged
      }
      const have = out.get(r.digest);
      if (have === undefined || have.seq < r.seq) out.set(r.digest, { seq: r.seq, state: r.state });
    }
    return out;
  }

  /** Closes the final log. */
  async close(): Promise<void> {
    await this.finalFh?.close();
    this.finalFh = undefined;
  }
}
