// A gate a test closes on a real component's call, to hold a race open until it lets it through.

/** Calls wait while closed; `open()` lets every waiting and later call through. */
export class Gate {
  #opened: Promise<void> | null = null;
  #release = () => {};
  waiting = 0;
  close(): void {
    this.#opened = new Promise((r) => {
      this.#release = r;
    });
  }
  open(): void {
    this.#release();
    this.#opened = null;
  }
  async pass(): Promise<void> {
    if (!this.#opened) return;
    this.waiting++;
    await this.#opened;
    this.waiting--;
  }
}
