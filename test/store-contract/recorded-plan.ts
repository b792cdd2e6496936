import type { Plan } from '../../src/store/sql/query-plan.js';
import { compile } from '../../src/store/sql/sql-fragment.js';

/** `plan`, with the text of each statement it runs appended to `log` (which path a planner took). */
export function* recorded<T>(plan: Plan<T>, log: string[]): Plan<T> {
  let step = plan.next();
  while (!step.done) {
    log.push(compile(step.value, () => '?').text);
    step = plan.next(yield step.value);
  }
  return step.value;
}
