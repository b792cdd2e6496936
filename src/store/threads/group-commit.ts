/**
 * Merges concurrent requests into one commit: the first request starts a flush on the next turn of the
 * event loop, and everything that arrived meanwhile (or while the previous commit ran) goes into it. Each
 * request keeps its own outcome, so one failing request does not fail the others. Durability is the
 * committer's: a request resolves only when `commit` says its part is committed.
 */
export type Outcome<R> = { ok: true; value: R } | { ok: false; error: unknown };

export interface GroupCommitOptions<Q> {
  /** Upper bound of one group's weight (e.g. entries), so one commit stays short. */
  maxWeight: number;
  weight: (request: Q) => number;
}

interface Pending<Q, R> {
  request: Q;
  resolve: (r: R) => void;
  reject: (e: unknown) => void;
}

export class GroupCommitter<Q, R> {
  readonly #commit: (requests: Q[]) => Outcome<R>[] | Promise<Outcome<R>[]>;
  readonly #options: GroupCommitOptions<Q>;
  #queue: Pending<Q, R>[] = [];
  #running: Promise<void> | null = null;
  #scheduled = false;

  constructor(
    commit: (requests: Q[]) => Outcome<R>[] | Promise<Outcome<R>[]>,
    options: GroupCommitOptions<Q>,
  ) {
    this.#commit = commit;
    this.#options = options;
  }

  submit(request: Q): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.#queue.push({ request, resolve, reject });
      this.#schedule();
    });
  }

  get pending(): number {
    return this.#queue.length;
  }

  /** Resolves when every request submitted so far has its outcome. */
  async drain(): Promise<void> {
    while (this.#running || this.#queue.length > 0 || this.#scheduled) {
      await (this.#running ?? new Promise((r) => setImmediate(r)));
    }
  }

  #schedule(): void {
    if (this.#scheduled || this.#running) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      this.#running = this.#flush().finally(() => {
        this.#running = null;
        if (this.#queue.length > 0) this.#schedule();
      });
    });
  }

  async #flush(): Promise<void> {
    const group = this.#take();
    if (group.length === 0) return;
    let outcomes: Outcome<R>[];
    try {
      outcomes = await this.#commit(group.map((g) => g.request));
    } catch (error) {
      for (const g of group) g.reject(error);
      return;
    }
    group.forEach((g, i) => {
      const o = outcomes[i]!;
      if (o.ok) g.resolve(o.value);
      else g.reject(o.error);
    });
  }

  #take(): Pending<Q, R>[] {
    let weight = 0;
    let n = 0;
    while (n < this.#queue.length) {
      const w = this.#options.weight(this.#queue[n]!.request);
      if (n > 0 && weight + w > this.#options.maxWeight) break;
      weight += w;
      n++;
    }
    return this.#queue.splice(0, n);
  }
}
