/**
 * A pull-based reader over a byte stream that hands out exact-length pieces,
 * buffering at most one piece plus one read of the source.
 */
export interface ByteQueue {
  /** Up to `n` bytes; fewer only at the end of the stream. */
  read(n: number): Promise<Uint8Array>;
  /**
   * Up to `n` bytes as views of the source's pieces, never copied; fewer only at the
   * end of the stream. For consumers that take a message in pieces.
   */
  readParts(n: number): Promise<Uint8Array[]>;
  /** Up to `n` bytes without consuming them; fewer only at the end of the stream. */
  peek(n: number): Promise<Uint8Array>;
  /** True when at least one more byte can be read. */
  hasMore(): Promise<boolean>;
  /** Everything not yet read, as a stream (for passing a payload through untouched). */
  rest(): ReadableStream<Uint8Array>;
  /** Releases the source. */
  cancel(reason?: unknown): Promise<void>;
}

/** A {@link ByteQueue} over `stream`. */
export function byteQueue(stream: ReadableStream<Uint8Array>): ByteQueue {
  const reader = stream.getReader();
  let parts: Uint8Array[] = [];
  let buffered = 0;
  let done = false;

  const fill = async (n: number) => {
    while (buffered < n && !done) {
      const r = await reader.read();
      if (r.done) done = true;
      else if (r.value.length > 0) {
        parts.push(r.value);
        buffered += r.value.length;
      }
    }
  };
  const take = (n: number): Uint8Array => {
    const len = Math.min(n, buffered);
    const first = parts[0];
    if (first !== undefined && first.length >= len) {
      // Fast path: the piece lies inside one source chunk, so no copy.
      const out = first.subarray(0, len);
      if (first.length === len) parts.shift();
      else parts[0] = first.subarray(len);
      buffered -= len;
      return out;
    }
    const out = new Uint8Array(len);
    let off = 0;
    while (off < len) {
      const p = parts[0]!;
      const k = Math.min(p.length, len - off);
      out.set(p.subarray(0, k), off);
      off += k;
      if (k === p.length) parts.shift();
      else parts[0] = p.subarray(k);
    }
    buffered -= len;
    return out;
  };

  const takeParts = (n: number): Uint8Array[] => {
    let left = Math.min(n, buffered);
    buffered -= left;
    const out: Uint8Array[] = [];
    while (left > 0) {
      const p = parts[0]!;
      if (p.length <= left) {
        out.push(p);
        parts.shift();
        left -= p.length;
      } else {
        out.push(p.subarray(0, left));
        parts[0] = p.subarray(left);
        left = 0;
      }
    }
    return out;
  };

  return {
    async read(n) {
      await fill(n);
      return take(n);
    },
    async readParts(n) {
      await fill(n);
      return takeParts(n);
    },
    async peek(n) {
      await fill(n);
      if (parts.length > 1) {
        const merged = take(buffered);
        parts = [merged];
        buffered = merged.length;
      }
      return (parts[0] ?? new Uint8Array(0)).subarray(0, n);
    },
    async hasMore() {
      await fill(1);
      return buffered > 0;
    },
    rest() {
      return new ReadableStream<Uint8Array>(
        {
          async pull(controller) {
            if (buffered > 0) {
              const pending = parts;
              parts = [];
              buffered = 0;
              for (const p of pending) controller.enqueue(p);
              return;
            }
            const r = await reader.read();
            if (r.done) controller.close();
            else controller.enqueue(r.value);
          },
          cancel: (reason) => reader.cancel(reason),
        },
        { highWaterMark: 0 },
      );
    },
    cancel: (reason) => reader.cancel(reason),
  };
}

/** A stream that yields `bytes` in one piece. */
export function streamOf(bytes: Uint8Array): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(bytes);
      controller.close();
    },
  });
}

/** All bytes of `stream`, concatenated. */
export async function collectBytes(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let len = 0;
  const reader = stream.getReader();
  for (;;) {
    const r = await reader.read();
    if (r.done) break;
    parts.push(r.value);
    len += r.value.length;
  }
  const out = new Uint8Array(len);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}
