/** One task per tenant at a time, in call order; a failed task does not stop the next. */
export class TenantQueue {
  readonly #tails = new Map<string, Promise<unknown>>();

  run<T>(tenant: string, task: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(tenant) ?? Promise.resolve();
    const next = previous.then(task, task);
    this.#tails.set(
      tenant,
      next.catch(() => {}),
    );
    return next;
  }

  /** Resolves when every task queued so far has settled. */
  async idle(): Promise<void> {
    await Promise.all(this.#tails.values());
  }
}
