/**
 * Per-day statistics rollups (`event_rollups`), shared by both engines' migrations and the stats planner.
 * One row per tenant, dimension, UTC day, key (and, for actors, username) holds how many administrative
 * events it covers; the engines keep it in step with `events` by triggers, so an append, a rolled-back batch
 * and a purge all move it in the same transaction as the rows themselves.
 */
export const DAY_MS = 86_400_000;

/** The dimensions, as stored in `dim`: category, action, event type, actor (key actor id, label username). */
export const ROLLUP_DIMS = { category: 'c', action: 'a', eventType: 't', user: 'u' } as const;

/**
 * The combinations of event type, action and category, per day (`key` the event type, `label`
 * `action/category`; an action is a word, so the first `/` splits them): statistics that filter one of these
 * dimensions and group by another (by event type for `action=delete`) sum a few rows a day instead of
 * counting the events (combo-stats.ts).
 */
export const COMBO_DIM = 'x';
/** The combination rows' label, in SQL over an events row (`row` its qualifier, e.g. `NEW.`). */
export const comboLabelSql = (row = '') => `${row}action || '/' || ${row}category`;

/**
 * The dimensions also rolled up per UTC calendar month (`day_ms` then holds the month's first midnight): many
 * rare actors give nearly one daily row per event, so a long range sums months and only its ragged ends days.
 */
export const MONTHLY_DIMS = { user: 'U' } as const;

/**
 * The dimensions also rolled up per ISO week (`day_ms` then holds the week's Monday, UTC midnight): the ragged
 * days of a range around its whole months are mostly whole weeks, read as one row per actor instead of seven.
 */
export const WEEKLY_DIMS = { user: 'W' } as const;

/**
 * The dimensions also rolled up per UTC calendar quarter (`day_ms` then holds its first midnight): a year's
 * range reads four rows per actor instead of twelve monthly ones.
 */
export const QUARTERLY_DIMS = { user: 'Q' } as const;

const WEEK_MS = 7 * DAY_MS;

/** The Monday (UTC midnight) that starts the ISO week of a UTC midnight; 1970-01-01 was a Thursday. */
export function weekStart(day: number): number {
  return day - ((((day / DAY_MS + 3) % 7) + 7) % 7) * DAY_MS;
}

/** The first week start at or after a UTC midnight. */
export const ceilWeek = (day: number) => (weekStart(day) === day ? day : weekStart(day) + WEEK_MS);

/** weekStart of a UTC-midnight SQL expression: integer arithmetic that both engines spell alike. */
export const weekSql = (dayMs: string) =>
  `((${dayMs}) - (((((${dayMs}) / ${DAY_MS}) + 3) % 7 + 7) % 7) * ${DAY_MS})`;

// Dates are set field by field, never by Date.UTC: it reads years 0–99 as 1900–1999, and events may be dated
// in any year from 0000 (the rollups filed such a month under the wrong century).

/** The first UTC midnight of the month of an epoch-ms time. */
export function monthStart(ms: number): number {
  const d = new Date(ms);
  d.setUTCDate(1);
  return d.setUTCHours(0, 0, 0, 0);
}

/** The first UTC midnight of the calendar quarter of an epoch-ms time. */
export function quarterStart(ms: number): number {
  const d = new Date(ms);
  const m = d.getUTCMonth();
  d.setUTCMonth(m - (m % 3), 1);
  return d.setUTCHours(0, 0, 0, 0);
}

/** The first quarter start at or after a UTC midnight. */
export function ceilQuarter(day: number): number {
  const q = quarterStart(day);
  if (q === day) return q;
  const d = new Date(q);
  return d.setUTCMonth(d.getUTCMonth() + 3, 1);
}

/**
 * The first UTC midnight (epoch ms) of the month (MonthSql) or quarter (QuarterSql) of a UTC-midnight SQL
 * expression, in the engine's spelling.
 */
export type MonthSql = (dayMs: string) => string;
export type QuarterSql = MonthSql;

/** The columns of an event the rollups count it by. */
export interface RollupColumns {
  actorId: string;
  actorUsername: string | null;
  action: string;
  category: string;
  eventType: string;
}

/**
 * A group commit's rollup increments, counted in memory as its batches succeed and written once per
 * distinct row before COMMIT: a per-row trigger cost SQLite 3× a raw insert, this one upsert per distinct
 * (tenant, dimension, day, key) of the group.
 */
export class RollupCounter {
  readonly #counts = new Map<string, [string, string, number, string, string, number]>();
  /** The month and quarter of each day seen (a group's events mostly share a few days). */
  readonly #periods = new Map<number, [month: number, quarter: number]>();

  add(tenant: string, occurredMs: number, c: RollupColumns): void {
    const day = occurredMs - (((occurredMs % DAY_MS) + DAY_MS) % DAY_MS);
    let periods = this.#periods.get(day);
    if (periods === undefined) {
      periods = [monthStart(day), quarterStart(day)];
      this.#periods.set(day, periods);
    }
    const label = c.actorUsername ?? '';
    this.#bump(tenant, ROLLUP_DIMS.category, day, c.category, '');
    this.#bump(tenant, ROLLUP_DIMS.action, day, c.action, '');
    this.#bump(tenant, ROLLUP_DIMS.eventType, day, c.eventType, '');
    this.#bump(tenant, ROLLUP_DIMS.user, day, c.actorId, label);
    this.#bump(tenant, MONTHLY_DIMS.user, periods[0], c.actorId, label);
    this.#bump(tenant, WEEKLY_DIMS.user, weekStart(day), c.actorId, label);
    this.#bump(tenant, QUARTERLY_DIMS.user, periods[1], c.actorId, label);
    this.#bump(tenant, COMBO_DIM, day, c.eventType, `${c.action}/${c.category}`);
  }

  #bump(tenant: string, dim: string, day: number, key: string, label: string): void {
    // Lengths delimit the free-text parts: one short string per bump (the writer's garbage is its cost).
    const id = `${tenant.length}:${tenant}${dim}${day}:${key.length}:${key}${label}`;
    const row = this.#counts.get(id);
    if (row) row[5]++;
    else this.#counts.set(id, [tenant, dim, day, key, label, 1]);
  }

  /** Each row to add: tenant, dim, day, key, label, n. */
  rows(): [string, string, number, string, string, number][] {
    return [...this.#counts.values()];
  }
}

/** The UTC midnight (epoch ms) of an epoch-ms SQL expression, flooring negative times too. */
export const dayStart = (ms: string) => `(${ms} - ((${ms} % ${DAY_MS}) + ${DAY_MS}) % ${DAY_MS})`;

/**
 * The rollup rows of a set of events `src` (a FROM item whose rows have the events' columns), counted:
 * `tenant, dim, day_ms, key, label, n`. `label` is '' where there is none (usernames are never empty).
 * With `month`, the monthly rows too (MONTHLY_DIMS); without, the per-day rows alone (migrations before them).
 * With `weeks`, the weekly rows too (WEEKLY_DIMS; the migrations before them leave it out); with `quarter`,
 * the quarterly rows too (QUARTERLY_DIMS; likewise); with `combos`, the combination rows (COMBO_DIM; likewise).
 */
export function rollupRowsOf(
  src: string,
  month?: MonthSql,
  weeks = false,
  quarter?: QuarterSql,
  combos = false,
): string {
  const day = dayStart('occurred_ms');
  const arm = (dim: string, key: string, label: string) =>
    `SELECT tenant, '${dim}' AS dim, ${day} AS day_ms, ${key} AS key, ${label} AS label, count(*) AS n
      FROM ${src} GROUP BY 1, 2, 3, 4, 5`;
  const arms = [
    arm(ROLLUP_DIMS.category, 'category', "''"),
    arm(ROLLUP_DIMS.action, 'action', "''"),
    arm(ROLLUP_DIMS.eventType, 'event_type', "''"),
    arm(ROLLUP_DIMS.user, 'actor_id', "coalesce(actor_username, '')"),
  ];
  if (month) {
    arms.push(
      `SELECT tenant, '${MONTHLY_DIMS.user}' AS dim, ${month(day)} AS day_ms, actor_id AS key,
        coalesce(actor_username, '') AS label, count(*) AS n FROM ${src} GROUP BY 1, 2, 3, 4, 5`,
    );
  }
  if (weeks) {
    arms.push(
      `SELECT tenant, '${WEEKLY_DIMS.user}' AS dim, ${weekSql(day)} AS day_ms, actor_id AS key,
        coalesce(actor_username, '') AS label, count(*) AS n FROM ${src} GROUP BY 1, 2, 3, 4, 5`,
    );
  }
  if (quarter) {
    arms.push(
      `SELECT tenant, '${QUARTERLY_DIMS.user}' AS dim, ${quarter(day)} AS day_ms, actor_id AS key,
        coalesce(actor_username, '') AS label, count(*) AS n FROM ${src} GROUP BY 1, 2, 3, 4, 5`,
    );
  }
  if (combos) arms.push(comboRowsOf(src));
  return arms.join(' UNION ALL ');
}

/** The combination rows (COMBO_DIM) of a set of events `src`, counted per day. */
export const comboRowsOf = (src: string) =>
  `SELECT tenant, '${COMBO_DIM}' AS dim, ${dayStart('occurred_ms')} AS day_ms, event_type AS key,
    ${comboLabelSql()} AS label, count(*) AS n FROM ${src} GROUP BY 1, 2, 3, 4, 5`;

/** The monthly rows (MONTHLY_DIMS) summed from the per-day rows already in `event_rollups`. */
export const monthlyRowsFromDays = (month: MonthSql) =>
  `SELECT tenant, '${MONTHLY_DIMS.user}' AS dim, ${month('day_ms')} AS day_ms, key, label, sum(n) AS n
    FROM event_rollups WHERE dim = '${ROLLUP_DIMS.user}' GROUP BY 1, 2, 3, 4, 5`;

/** The weekly rows (WEEKLY_DIMS) summed from the per-day rows already in `event_rollups`. */
export const weeklyRowsFromDays = () =>
  `SELECT tenant, '${WEEKLY_DIMS.user}' AS dim, ${weekSql('day_ms')} AS day_ms, key, label, sum(n) AS n
    FROM event_rollups WHERE dim = '${ROLLUP_DIMS.user}' GROUP BY 1, 2, 3, 4, 5`;

/** The quarterly rows (QUARTERLY_DIMS) summed from the monthly rows already in `event_rollups`. */
export const quarterlyRowsFromMonths = (quarter: QuarterSql) =>
  `SELECT tenant, '${QUARTERLY_DIMS.user}' AS dim, ${quarter('day_ms')} AS day_ms, key, label, sum(n) AS n
    FROM event_rollups WHERE dim = '${MONTHLY_DIMS.user}' GROUP BY 1, 2, 3, 4, 5`;
