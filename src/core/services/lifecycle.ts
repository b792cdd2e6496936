import type { Stream } from '../domain/entry.js';
import { AuditError, notFound } from '../domain/errors.js';
import { newId } from '../domain/ids.js';
import { type SignedPurge, seqsDigest } from '../domain/purge-record.js';
import {
  holdCovers,
  type LegalHold,
  type PurgeSelector,
  parseHoldInput,
  parsePolicyInput,
  purgeSelectors,
  type RetentionPolicy,
} from '../domain/retention.js';
import type { PartitionOutcome, PurgeRunStep } from '../ports/lifecycle-repository.js';
import type { Store } from '../ports/store.js';
import type { ActingParty } from './access-control.js';
import type { Checkpointer } from './checkpointer.js';
import { dropPartitions } from './partition-drops.js';
import { recordPurgeRun, recordUnrecordedPurges } from './purge-events.js';
import { audited, type SelfAudit, securityEvent } from './self-audit.js';

export interface LifecycleDeps {
  store: Store;
  now: () => number;
  checkpoints: Checkpointer;
  categories: ReadonlySet<string>;
  /** Appends one of the log's own records (AuditLog.recordSelfAudit). */
  record: SelfAudit['record'];
  /** The record of a change, checked before it and written with it (SelfAudit.pending); appended once made. */
  pending: SelfAudit['pending'];
  settle: SelfAudit['settle'];
  /** The blind indexes an actor id or username has in encrypted entries (PersonalData.aliases); none when clear. */
  aliases?: (tenant: string, actorId: string) => string[];
}

export interface PurgeOptions {
  /** One tenant; default every tenant with a policy. */
  tenant?: string;
  /** Entries per step (one short transaction each); default 200. */
  stepSize?: number;
  /** A pause between steps, so that appends and reads queued meanwhile run first; default 0 (a yield). */
  pauseMs?: number;
  by: ActingParty;
}

export interface TenantPurge {
  tenant: string;
  /** Entries whose content was removed (they stay in the chain as tombstones). */
  purged: number;
  /** Expired entries kept because a legal hold covers them. */
  held: number;
  /** The signed checkpoint taken before the first step (the head then), null when nothing expired. */
  anchor: { seq: number; hash: string } | null;
  purges: Pick<SignedPurge, 'purgeId' | 'stream' | 'count' | 'firstSeq' | 'lastSeq'>[];
  /** The signed records of this run's steps, in step order (for its audit event). */
  records: SignedPurge[];
}

export interface PurgeReport {
  tenants: TenantPurge[];
  purged: number;
  held: number;
  /** Partitions looked at for a whole drop (PostgreSQL), dropped or not and why. */
  partitions: PartitionOutcome[];
  elapsedMs: number;
  /** Earlier runs (cut short, or still going on another node) whose records this run appended events for. */
  recoveredRuns: number;
}

const STEP = 200;

/**
 * Data lifecycle: retention policies, legal holds and the purge (docs/lifecycle.md). A purge removes the
 * content of expired, unheld entries in steps of a few hundred, each one transaction with its own signed
 * purge record, leaving tombstones so that the chain — and `verify`, on the store and on exports — still
 * holds; before its first step it signs a checkpoint of the head (the anchor). Every change of a policy or
 * a hold and every purge that removed something is an audit event of its own.
 */
export class Lifecycle {
  readonly #deps: LifecycleDeps;
  #running: Promise<unknown> = Promise.resolve();
  #timer: NodeJS.Timeout | null = null;

  constructor(deps: LifecycleDeps) {
    this.#deps = deps;
  }

  policies(tenant: string): Promise<RetentionPolicy[]> {
    return this.#deps.store.lifecycle.listPolicies(tenant);
  }

  async setPolicy(tenant: string, body: unknown, by: ActingParty): Promise<RetentionPolicy> {
    const input = parsePolicyInput(body, this.#deps.categories);
    const policy: RetentionPolicy = { tenant, ...input, updatedMs: this.#deps.now() };
    const event = auditEvent(by, 'update', 'auditlog.retention_policy_set', policyTarget(policy), {
      stream: policy.stream,
      category: policy.category,
      maxAgeDays: policy.maxAgeDays,
    });
    await audited(this.#deps, tenant, event, (p) => this.#deps.store.lifecycle.putPolicy(policy, p));
    return policy;
  }

  async deletePolicy(
    tenant: string,
    stream: string,
    category: string | null,
    by: ActingParty,
  ): Promise<void> {
    if (stream !== 'event' && stream !== 'auth')
      throw new AuditError('invalid_request', 'stream must be "event" or "auth"', [
        { path: '/stream', message: 'must be "event" or "auth"' },
      ]);
    const target = policyTarget({ stream, category });
    const event = auditEvent(by, 'delete', 'auditlog.retention_policy_deleted', target, null);
    const pending = this.#deps.pending(tenant, event);
    if (!(await this.#deps.store.lifecycle.deletePolicy(tenant, stream, category, pending)))
      throw notFound('Retention policy');
    await this.#deps.settle();
  }

  holds(tenant: string, includeReleased = false): Promise<LegalHold[]> {
    return this.#deps.store.lifecycle.listHolds(tenant, includeReleased);
  }

  async createHold(tenant: string, body: unknown, by: ActingParty): Promise<LegalHold> {
    const input = parseHoldInput(body, this.#deps.categories);
    const hold: LegalHold = {
      id: newId(),
      tenant,
      ...input,
      createdMs: this.#deps.now(),
      createdBy: by.actor.id,
      releasedMs: null,
      releasedBy: null,
    };
    const event = auditEvent(
      by,
      'create',
      'auditlog.legal_hold_created',
      holdTarget(hold.id),
      holdValue(hold),
    );
    // A purge running meanwhile reads the holds again before each step.
    await audited(this.#deps, tenant, event, (p) => this.#deps.store.lifecycle.putHold(hold, p));
    return hold;
  }

  async releaseHold(tenant: string, id: string, by: ActingParty): Promise<LegalHold> {
    const { lifecycle } = this.#deps.store;
    const before = await lifecycle.getHold(tenant, id);
    if (!before) throw notFound('Legal hold');
    const releasedAt = this.#deps.now();
    const hold: LegalHold = { ...before, releasedMs: releasedAt, releasedBy: by.actor.id };
    const event = auditEvent(by, 'delete', 'auditlog.legal_hold_released', holdTarget(id), holdValue(hold));
    const pending = this.#deps.pending(tenant, event);
    // Conditional in the store: of two releases at once, one is recorded.
    if (!(await lifecycle.releaseHold(tenant, id, releasedAt, by.actor.id, pending)))
      throw new AuditError('invalid_request', `Legal hold ${id} is released already`);
    await this.#deps.settle();
    return hold;
  }

  purgeHistory(tenant: string): Promise<SignedPurge[]> {
    return this.#deps.store.lifecycle.listPurges(tenant);
  }

  /** Runs a purge; purges run one at a time (a second one waits for the first). */
  purge(options: PurgeOptions): Promise<PurgeReport> {
    const run = this.#running.then(
      () => this.#purge(options),
      () => this.#purge(options),
    );
    this.#running = run.catch(() => {});
    return run;
  }

  /** Purges every `everyMs` (a server); a failed run is reported to `onError` and tried again next time. */
  start(everyMs: number, by: ActingParty, onError: (error: unknown) => void = () => {}): void {
    if (everyMs <= 0 || this.#timer) return;
    this.#timer = setInterval(() => void this.purge({ by }).catch(onError), everyMs);
    this.#timer.unref();
  }

  /** Stops the schedule and waits for a purge under way. */
  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.#running;
  }

  async #purge(options: PurgeOptions): Promise<PurgeReport> {
    const started = performance.now();
    const { store } = this.#deps;
    const all = await store.lifecycle.listPolicies(options.tenant);
    const tenants = [...new Set(all.map((p) => p.tenant))];
    // First the audit events a run cut short never appended (docs/lifecycle.md#the-purge).
    const recoveredRuns = await recordUnrecordedPurges(this.#deps, options.by, options.tenant);
    const report: PurgeReport = {
      tenants: [],
      purged: 0,
      held: 0,
      partitions: [],
      elapsedMs: 0,
      recoveredRuns,
    };
    const results = new Map(
      tenants.map((tenant) => [
        tenant,
        { tenant, purged: 0, held: 0, anchor: null, purges: [], records: [] } as TenantPurge,
      ]),
    );
    const runId = newId();
    let steps = 0;
    const runOf = (): PurgeRunStep => ({ runId, step: steps++ });
    // Whole partitions first: what they held is gone before the stepped passes look.
    const purger = store.lifecycle.partitions;
    if (purger)
      report.partitions = await dropPartitions(
        {
          purger,
          now: this.#deps.now(),
          checkpoints: this.#deps.checkpoints,
          withAliases: (tenant, holds) => this.#withAliases(tenant, holds),
          runOf,
        },
        all,
        results,
      );
    for (const tenant of tenants) {
      const now = this.#deps.now();
      const selectors = purgeSelectors(
        all.filter((p) => p.tenant === tenant),
        now,
      );
      const result = results.get(tenant)!;
      for (const selector of selectors) await this.#purgeSelector(tenant, selector, options, result, runOf);
      if (result.records.length > 0)
        await recordPurgeRun(this.#deps, tenant, options.by, result.records, {
          held: result.held,
          anchor: result.anchor,
          recovered: false,
        });
      report.tenants.push(result);
      report.purged += result.purged;
      report.held += result.held;
    }
    report.elapsedMs = performance.now() - started;
    return report;
  }

  async #purgeSelector(
    tenant: string,
    selector: PurgeSelector,
    options: PurgeOptions,
    result: TenantPurge,
    runOf: () => PurgeRunStep,
  ): Promise<void> {
    const { store, checkpoints } = this.#deps;
    const step = Math.max(1, options.stepSize ?? STEP);
    let after: { occurredMs: number; seq: number } | null = null;
    for (;;) {
      const candidates = await store.lifecycle.purgeCandidates(tenant, selector, after, step);
      if (candidates.length === 0) return;
      const last = candidates[candidates.length - 1]!;
      after = { occurredMs: last.occurredMs, seq: last.seq };
      const holds = this.#withAliases(tenant, await store.lifecycle.listHolds(tenant, false));
      const seqs = candidates
        .filter((c) => !holds.some((h) => holdCovers(h, selector.stream, c)))
        .map((c) => c.seq)
        .sort((a, b) => a - b);
      result.held += candidates.length - seqs.length;
      if (seqs.length > 0) {
        // The anchor: a signed checkpoint of the head, before the first entry goes.
        if (!result.anchor) {
          const cp = await checkpoints.latest(tenant);
          result.anchor = cp ? { seq: cp.seq, hash: cp.hash } : null;
        }
        await this.#step(tenant, selector.stream, seqs, result, runOf());
      }
      if (candidates.length < step) return;
      await new Promise((r) => setTimeout(r, options.pauseMs ?? 0));
    }
  }

  /** Each hold by actor also as its blind indexes, so that it covers that actor's encrypted entries too. */
  #withAliases(tenant: string, holds: LegalHold[]): LegalHold[] {
    const aliases = this.#deps.aliases;
    if (!aliases) return holds;
    return holds.flatMap((h) =>
      h.actorId === null ? [h] : [h, ...aliases(tenant, h.actorId).map((actorId) => ({ ...h, actorId }))],
    );
  }

  async #step(
    tenant: string,
    stream: Stream,
    seqs: number[],
    result: TenantPurge,
    run: PurgeRunStep,
  ): Promise<void> {
    const record = this.#deps.checkpoints.signPurge({
      tenant,
      purgeId: newId(),
      stream,
      count: seqs.length,
      firstSeq: seqs[0]!,
      lastSeq: seqs[seqs.length - 1]!,
      seqsDigest: seqsDigest(seqs),
      anchorSeq: result.anchor?.seq ?? 0,
      anchorHash: result.anchor?.hash ?? '',
    });
    try {
      await this.#deps.store.lifecycle.purge({ tenant, stream, seqs, record, run });
    } catch (error) {
      // Another node purged some of these meanwhile: the next run finds what is left.
      if (error instanceof AuditError && error.code === 'idempotency_conflict') return;
      throw error;
    }
    result.purged += seqs.length;
    result.records.push(record);
    result.purges.push({
      purgeId: record.purgeId,
      stream,
      count: record.count,
      firstSeq: record.firstSeq,
      lastSeq: record.lastSeq,
    });
  }
}

/** One of the lifecycle's own records; a deletion carries no newValue. */
function auditEvent(
  by: ActingParty,
  action: 'create' | 'update' | 'delete',
  eventType: string,
  target: { type: string; id: string },
  newValue: unknown,
): Record<string, unknown> {
  return securityEvent(by, action, eventType, target, newValue === null ? {} : { newValue });
}

function policyTarget(p: { stream: string; category: string | null }): { type: string; id: string } {
  return { type: 'RetentionPolicy', id: `${p.stream}:${p.category ?? '*'}` };
}

function holdTarget(id: string): { type: string; id: string } {
  return { type: 'LegalHold', id };
}

function holdValue(h: LegalHold): Record<string, unknown> {
  return {
    reason: h.reason,
    actorId: h.actorId,
    targetType: h.targetType,
    targetId: h.targetId,
    category: h.category,
    fromMs: h.fromMs,
    toMs: h.toMs,
    released: h.releasedMs !== null,
  };
}
