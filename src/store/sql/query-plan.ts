import type { Sql } from './sql-fragment.js';

export type Row = Record<string, unknown>;

/** A read whose answer may be reused for `ttlMs` on the same connection (a count that moves slowly). */
export class CachedRead {
  constructor(
    readonly key: string,
    readonly ttlMs: number,
    readonly sql: Sql,
  ) {}
}

/**
 * A planner's work as a generator: it yields each statement it needs answered and receives its rows, so
 * the same planning code runs synchronously on SQLite (better-sqlite3) and asynchronously on PostgreSQL
 * (pg). The engines' runners (sqlite-query-runner.ts, postgres-query-runner.ts) execute and decode.
 */
export type Plan<T> = Generator<Sql | CachedRead, T, Row[]>;

/** Answers of CachedReads, per connection. */
export class ReadCache {
  readonly #perConnection = new WeakMap<object, Map<string, { rows: Row[]; at: number }>>();

  get(connection: object, read: CachedRead): Row[] | undefined {
    const hit = this.#perConnection.get(connection)?.get(read.key);
    return hit && Date.now() - hit.at < read.ttlMs ? hit.rows : undefined;
  }

  set(connection: object, read: CachedRead, rows: Row[]): void {
    let map = this.#perConnection.get(connection);
    if (!map) {
      map = new Map();
      this.#perConnection.set(connection, map);
    }
    map.set(read.key, { rows, at: Date.now() });
  }
}
