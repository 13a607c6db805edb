/**
 * Group commit: calls that arrive while a transaction is in flight wait and go
 * together in the next one, so one COMMIT (one WAL flush) acknowledges many callers.
 * Each caller still gets exactly its own results, after the commit that holds them.
 * Also used to batch many small reads into one query.
 */
export class GroupCommit<I, O> {
  private queue: { items: I[]; resolve: (out: O[]) => void; reject: (e: unknown) => void }[] = [];
  private inflight = 0;

  /**
   * @param run writes a group of items in one transaction, one result per item in order.
   * @param maxInflight transactions at once (more overlap network round trips).
   * @param maxGroup most items in one transaction (bounds its size and lock time).
   */
  constructor(
    private readonly run: (items: I[]) => Promise<O[]>,
    private readonly maxInflight: number,
    private readonly maxGroup: number,
  ) {}

  /** Queues `items` and resolves with their results once committed. */
  submit(items: I[]): Promise<O[]> {
    return new Promise<O[]>((resolve, reject) => {
      this.queue.push({ items, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.inflight < this.maxInflight && this.queue.length > 0) {
      // Whole calls only: a call is never split across two transactions.
      const group: typeof this.queue = [];
      let n = 0;
      while (this.queue.length > 0) {
        const next = this.queue[0]!;
        if (group.length > 0 && n + next.items.length > this.maxGroup) break;
        group.push(this.queue.shift()!);
        n += next.items.length;
      }
      this.inflight++;
      const items = group.flatMap((g) => g.items);
      this.run(items)
        .then((out) => {
          let at = 0;
          for (const g of group) {
            g.resolve(out.slice(at, at + g.items.length));
            at += g.items.length;
          }
        })
        .catch((e) => {
          for (const g of group) g.reject(e);
        })
        .finally(() => {
          this.inflight--;
          this.pump();
        });
    }
  }
}
