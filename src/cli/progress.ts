import cliProgress from 'cli-progress';

/**
 * Progress on stderr for long commands: a bar on a terminal, a line every two seconds otherwise (CI logs),
 * so stdout stays clean for data (export, token).
 */
export class Progress {
  readonly #total: number | undefined;
  readonly #label: string;
  readonly #bar: cliProgress.SingleBar | null;
  readonly #started = Date.now();
  #done = 0;
  #lastLine = 0;

  constructor(label: string, total?: number, stream: NodeJS.WriteStream = process.stderr) {
    this.#label = label;
    this.#total = total;
    this.#bar =
      stream.isTTY && total !== undefined
        ? new cliProgress.SingleBar(
            {
              stream,
              format: `${label} [{bar}] {percentage}% | {value}/{total} | {rate}/s | ETA {eta_formatted}`,
            },
            cliProgress.Presets.shades_classic,
          )
        : null;
    this.#bar?.start(total ?? 0, 0, { rate: 0 });
  }

  get rate(): number {
    const s = (Date.now() - this.#started) / 1000;
    return s > 0 ? Math.round(this.#done / s) : 0;
  }

  get done(): number {
    return this.#done;
  }

  add(n: number): void {
    this.#done += n;
    if (this.#bar) {
      this.#bar.update(this.#done, { rate: this.rate });
    } else if (Date.now() - this.#lastLine > 2000) {
      this.#lastLine = Date.now();
      const of = this.#total === undefined ? '' : `/${this.#total}`;
      process.stderr.write(`${this.#label}: ${this.#done}${of} (${this.rate}/s)\n`);
    }
  }

  stop(): void {
    this.#bar?.stop();
  }
}
