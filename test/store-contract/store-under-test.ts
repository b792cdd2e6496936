// The store the contract suite runs against: the vitest project `sqlite` sets AUDITLOG_TEST_STORE=sqlite, the
// project `postgres` sets AUDITLOG_TEST_STORE=postgres. Each test file opens its own fresh store (a new SQLite
// file, or a new PostgreSQL database) and removes it afterwards.
import { afterAll, beforeAll } from 'vitest';
import type { Store } from '../../src/core/ports/store.js';
import type { Plan } from '../../src/store/sql/query-plan.js';
import type { SqlDialect } from '../../src/store/sql/sql-dialect.js';
import { tempDir } from '../helpers/temp-dir.js';

export type StoreKind = 'sqlite' | 'postgres';

export const STORE_KIND: StoreKind = process.env.AUDITLOG_TEST_STORE === 'postgres' ? 'postgres' : 'sqlite';

export interface StoreUnderTest {
  readonly kind: StoreKind;
  /** The open store (a new object after `reopen`). */
  readonly store: Store;
  /** Closes the store and opens the same storage again, as a restarted process would. */
  reopen(): Promise<Store>;
  /** Another store on the same storage, as a second process would open it; the caller closes it. */
  openAnother(): Promise<Store>;
  /** Runs raw SQL on the storage as its owner would (an attacker with database access, in tamper tests). */
  exec(sql: string): Promise<void>;
  /** SQLite only: `exec` through a connection of its own, committed before it returns (mid-plan writes). */
  execNow?(sql: string): void;
  /** PostgreSQL only: the database's URL, for a client of a test's own (a transaction held open). */
  readonly url?: string;
  /** Runs a shared planner's plan on the storage with the engine's own dialect and runner (planner tests). */
  plan<T>(make: (d: SqlDialect) => Plan<T>): Promise<T>;
  /** Closes the store and removes its storage (file or database). Idempotent. */
  destroy(): Promise<void>;
}

/** A fresh, empty store of the kind named by AUDITLOG_TEST_STORE (default sqlite). */
export async function openStoreUnderTest(): Promise<StoreUnderTest> {
  const dir = tempDir('auditlog-store-contract-');
  let open: () => Promise<Store>;
  let removeStorage: () => Promise<void> = async () => {};
  let exec: (sql: string) => Promise<void>;
  let execNow: ((sql: string) => void) | undefined;
  let url: string | undefined;
  let plan: <T>(make: (d: SqlDialect) => Plan<T>) => Promise<T>;
  try {
    if (STORE_KIND === 'sqlite') {
      const { SqliteStore } = await import('../../src/store/sqlite/sqlite-store.js');
      const file = dir.file('auditlog.db');
      // With reader threads, as the server opens it.
      open = () => SqliteStore.open({ file, readers: 1 });
      const { default: Database } = await import('better-sqlite3');
      execNow = (sql) => {
        const db = new Database(file);
        try {
          db.exec(sql);
        } finally {
          db.close();
        }
      };
      exec = async (sql) => execNow!(sql);
      const { openSqlite } = await import('../../src/store/sqlite/sqlite-connection.js');
      const { runPlan } = await import('../../src/store/sqlite/sqlite-query-runner.js');
      const { SQLITE_DIALECT } = await import('../../src/store/sqlite/sqlite-dialect.js');
      plan = async (make) => {
        const db = openSqlite(file, { readonly: true });
        try {
          return runPlan(db, make(SQLITE_DIALECT));
        } finally {
          db.close();
        }
      };
    } else {
      // Loaded only here, so that the sqlite project never loads the PostgreSQL driver.
      const { createTestDatabase } = await import('../helpers/postgres.js');
      const { PostgresStore } = await import('../../src/store/postgres/postgres-store.js');
      const db = await createTestDatabase();
      removeStorage = db.drop;
      url = db.url;
      const { withClient } = await import('../helpers/postgres.js');
      // DDL here (a tamper test's trigger) can deadlock with the log's own background work (the Merkle
      // catch-up after an append): PostgreSQL aborts one side, and the test's statement is simply retried.
      exec = async (sql) => {
        for (let attempt = 1; ; attempt++) {
          try {
            await withClient(db.url, (c) => c.query(sql));
            return;
          } catch (error) {
            if ((error as { code?: string }).code !== '40P01' || attempt === 5) throw error;
          }
        }
      };
      const { createPool } = await import('../../src/store/postgres/postgres-connection.js');
      const { runPlan } = await import('../../src/store/postgres/postgres-query-runner.js');
      const { POSTGRES_DIALECT } = await import('../../src/store/postgres/postgres-dialect.js');
      plan = async (make) => {
        const pool = createPool(db.url, 1, 'auditlog-test-plan');
        try {
          return await runPlan(pool, make(POSTGRES_DIALECT));
        } finally {
          await pool.end();
        }
      };
      // The signing key lives in a file of the node, never in the database.
      open = () => PostgresStore.open({ url: db.url, keyFile: dir.file('signing-key.pem') });
    }
  } catch (error) {
    dir.remove();
    throw error;
  }
  let store: Store;
  try {
    store = await open();
  } catch (error) {
    await removeStorage().catch(() => {});
    dir.remove();
    throw error;
  }
  let destroyed: Promise<void> | undefined;
  return {
    kind: STORE_KIND,
    get store() {
      return store;
    },
    async reopen() {
      await store.close();
      store = await open();
      return store;
    },
    openAnother: () => open(),
    exec: (sql) => exec(sql),
    ...(execNow ? { execNow } : {}),
    ...(url ? { url } : {}),
    plan: (make) => plan(make),
    destroy() {
      destroyed ??= (async () => {
        try {
          await store.close();
        } finally {
          await removeStorage();
          dir.remove();
        }
      })();
      return destroyed;
    },
  };
}

/**
 * One store for the whole test file (tests keep out of each other's way by using their own tenants): opened
 * before the first test, removed after the last. Returns an accessor for the tests.
 */
export function storePerFile(): () => StoreUnderTest {
  let sut: StoreUnderTest | undefined;
  beforeAll(async () => {
    sut = await openStoreUnderTest();
  });
  afterAll(async () => {
    await sut?.destroy();
  });
  return () => {
    if (!sut) throw new Error('the store under test is not open (beforeAll failed?)');
    return sut;
  };
}
