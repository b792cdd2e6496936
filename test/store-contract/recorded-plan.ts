import type { Plan } from '../../src/store/sql/query-plan.js';
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
