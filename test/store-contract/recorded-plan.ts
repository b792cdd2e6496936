import type { Plan } from '../../src/store/sql/query-plan.js';
import type { SqlDialect } from '../../src/store/sql/sql-dialect.js';
import { compile } from '../../src/store/sql/sql-fragment.js';

/**
 * `plan`, with the text of each statement it runs appended to `log` (which path a planner took), and its
 * parameters to `values` when given (what a lookup asked).
 */
export function* recorded<T>(plan: Plan<T>, log: string[], values?: unknown[][]): Plan<T> {
  let step = plan.next();
  while (!step.done) {
    const compiled = compile(step.value, () => '?');
    log.push(compiled.text);
    values?.push(compiled.values);
    step = plan.next(yield step.value);
  }
  return step.value;
}

/**
 * A plan's result with the parameters of its chunk lookups (FTS5 MATCH statements; PostgreSQL asks none
 * by that name), each as JSON: what the planner asked the keyword index.
 */
export async function withLookups<T>(
  run: <U>(make: (d: SqlDialect) => Plan<U>) => Promise<U>,
  make: (d: SqlDialect) => Plan<T>,
): Promise<{ result: T; lookups: string[] }> {
  const statements: string[] = [];
  const values: unknown[][] = [];
  const result = await run((d) => recorded(make(d), statements, values));
  const lookups = statements.flatMap((s, i) => (/MATCH/.test(s) ? [JSON.stringify(values[i])] : []));
  return { result, lookups };
}
