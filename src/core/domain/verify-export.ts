import { canonicalJson } from './canonical-json.js';
import type { Problem, ProblemKind } from './chain-verifier.js';
import {
  type EndRule,
  exportEndProblem,
  exportEndSignatureValid,
  missingEndMessage,
  type SignedExportEnd,
} from './export-end.js';
import { exportLineShape } from './export-line-shape.js';
import { exportLineText } from './export-lines.js';
import { entryDigest, linkHash } from './hash-chain.js';
import { setOwn } from './own-property.js';
import { SeqsDigest } from './purge-record.js';
import type { SavedCheckpoint } from './saved-checkpoints.js';
import { checkpointSignatureValid, publicKeyInfo, type SignedCheckpoint } from './signing.js';

export interface ExportVerifyReport {
  events: number;
  checkpoints: number;
  /** Saved checkpoints the export extends, and those it does not reach (a filtered or older export). */
  saved: { extended: number; uncovered: SavedCheckpoint[] };
  problem: Problem | undefined;
  /**
   * Bridged entries the export marks as purged (their content removed by a signed purge; the digest still
   * links). Informational: the mark is not hashed — the store's `verify` checks the purge records.
   */
  purged: number;
  elapsedMs: number;
  keySource: 'given' | 'file';
  /**
   * Each tenant's last signed checkpoint the export reaches: what it proves the chain held, and when. A file
   * cut just after a checkpoint line verifies, ending there; only this coverage, or a checkpoint saved
   * beyond it (`saved`), tells.
   */
  reached: { tenant: string; seq: number; signedAt: string }[];
  /**
   * Each tenant's signed end line (export-end.ts): the export it closes, proven whole. Every tenant of the
   * file must have one, after its other lines.
   */
  ends: { tenant: string; exportId: string; events: number; seq: number; signedAt: string }[];
}

/** Fields an export adds to an event; everything else is the hashed body. */
const EXPORT_FIELDS = new Set(['seq', 'tenant', 'receivedAt', 'hash', 'prevHash']);

class Failure extends Error {
  constructor(readonly problem: Problem) {
    super(problem.message);
  }
}

interface TenantState {
  /** The chain carried since the segment's first event, until a checkpoint proves it; null between. */
  run: { seq: number; hash: string; firstEvent: number } | null;
  lastEvent?: { seq: number; id: string };
  /** The newest checkpoint of the export for this tenant: how far it proves the chain. */
  reached?: SignedCheckpoint;
  /** Event lines of the tenant so far, and their seqs' digest (export-end.ts). */
  events: number;
  seqs: SeqsDigest;
  /** The tenant's end line: nothing of the tenant may follow it. */
  end?: SignedExportEnd;
}

/**
 * Checks a verifiable NDJSON export (verifiable-export.ts), given as its lines, offline and in one pass: each event's hash from
 * its content, the chain through bridges and events, each checkpoint's signature and hash, and two events
 * claiming one seq. Every event must be proven by a checkpoint that follows it. Each saved checkpoint MUST
 * have its hash wherever the export shows the chain at its seq, and an export signed after it MUST reach
 * its seq; one the export does not show (filtered out, or an older export) is reported as not covered.
 */
export async function verifyExport(
  lines: AsyncIterable<string>,
  options: {
    trustedKeys?: ReadonlyMap<string, string>;
    tenant?: string;
    saved?: readonly SavedCheckpoint[];
    onProgress?: (events: number) => void;
  } & EndRule = {},
): Promise<ExportVerifyReport> {
  const started = performance.now();
  // Files with their end lines are checked byte for byte; older ones (--allow-missing-end) as they were.
  const strict = options.requireEnd !== false;
  const state = new Map<string, TenantState>();
  const tenantState = (tenant: string) => {
    let s = state.get(tenant);
    if (!s) {
      s = { run: null, events: 0, seqs: new SeqsDigest() };
      state.set(tenant, s);
    }
    if (s.end) fail(tenant, s.end.seq, 'inserted', `a line of tenant ${tenant} after its export's end line`);
    return s;
  };
  const saved = new SavedInExport(
    (options.saved ?? []).filter((c) => !options.tenant || c.tenant === options.tenant),
  );
  let events = 0;
  let checkpoints = 0;
  let purged = 0;
  let lineNo = 0;
  const fail = (tenant: string, seq: number, kind: ProblemKind, message: string, ids?: string[]): never => {
    throw new Failure({ tenant, seq, kind, message: lineNo ? `line ${lineNo}: ${message}` : message, ids });
  };
  // The chain of `tenant` has `hash` at `seq` (in increasing seq order): a saved checkpoint there must agree.
  const at = (tenant: string, seq: number, hash: string) => {
    const c = saved.at(tenant, seq, hash);
    if (c)
      fail(
        tenant,
        seq,
        'checkpoint_mismatch',
        `the export no longer extends the checkpoint saved in ${c.source}: its hash at seq ${seq} is not the one signed`,
      );
  };
  const report = (problem: Problem | undefined): ExportVerifyReport => ({
    events,
    checkpoints,
    saved: { extended: saved.extended, uncovered: saved.uncovered },
    problem,
    purged,
    elapsedMs: performance.now() - started,
    keySource: options.trustedKeys ? 'given' : 'file',
    reached: [...state]
      .filter(([, s]) => s.reached)
      .map(([tenant, s]) => ({ tenant, seq: s.reached!.seq, signedAt: s.reached!.signedAt })),
    ends: [...state.values()].flatMap(({ end: e }) =>
      e
        ? [{ tenant: e.tenant, exportId: e.exportId, events: e.events, seq: e.seq, signedAt: e.signedAt }]
        : [],
    ),
  });
  try {
    for (const c of saved.all) {
      const key = options.trustedKeys ? options.trustedKeys.get(c.keyId) : c.publicKey;
      if (!key || !checkpointSignatureValid(c, key)) {
        const why = key ? 'its signature is invalid' : `key ${c.keyId} is not a trusted key`;
        fail(c.tenant, c.seq, 'checkpoint_signature_invalid', `the checkpoint saved in ${c.source}: ${why}`);
      }
    }
    // An event whose content does not match its hash, held for one line: a second event at its seq
    // makes it a forged copy, named with both ids, whichever of the two comes first.
    let altered: { problem: Problem } | undefined;
    for await (const text of lines) {
      lineNo++;
      if (text.trim() === '') continue;
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        if (altered) throw new Failure(altered.problem);
        fail('?', 0, 'altered', 'is not valid JSON');
        continue;
      }
      const shape = exportLineShape(parsed);
      const line = 'value' in shape && shape.kind === 'event' ? shape.value : {};
      if (altered) {
        const { problem } = altered;
        if (line.tenant === problem.tenant && line.seq === problem.seq) {
          const ids = [...(problem.ids ?? []), String(line.id)];
          fail(
            problem.tenant,
            problem.seq,
            'inserted',
            `two events claim seq ${problem.seq}: ids ${ids.join(' and ')}`,
            ids,
          );
        }
        throw new Failure(problem);
      }
      // The other lines are written by JSON.stringify: any other bytes (a key written twice, whose first value a
      // reader sees and a parser drops) are an edit.
      if (strict && 'kind' in shape && shape.kind !== 'event' && text.trimEnd() !== JSON.stringify(parsed)) {
        const where = shape.value as { tenant?: unknown; seq?: unknown; fromSeq?: unknown };
        fail(
          String(where.tenant),
          Number(where.seq ?? where.fromSeq) || 0,
          'altered',
          `its ${shape.kind} line is not written as exported (a key written twice?)`,
        );
      }
      if ('problem' in shape) {
        const where = parsed as { tenant?: unknown; seq?: unknown } | null;
        fail(String(where?.tenant ?? '?'), Number(where?.seq) || 0, 'altered', shape.problem);
        continue;
      }
      if (shape.kind === 'bridge') {
        const b = shape.value as {
          tenant: string;
          fromSeq: number;
          digests: string[];
          purged?: [number, number][];
        };
        if (options.tenant && b.tenant !== options.tenant) continue;
        if (Array.isArray(b.purged))
          for (const r of b.purged) if (Array.isArray(r)) purged += Number(r[1]) - Number(r[0]) + 1;
        const run = tenantState(b.tenant).run;
        if (!run) fail(b.tenant, b.fromSeq, 'inserted', 'a bridge that follows no event');
        let { seq, hash } = run!;
        if (b.fromSeq !== seq + 1)
          fail(b.tenant, seq + 1, 'missing', `the bridge starts at ${b.fromSeq}, not ${seq + 1}`);
        for (const digest of b.digests) {
          seq += 1;
          hash = linkHash(b.tenant, seq, hash, digest);
          at(b.tenant, seq, hash);
        }
        Object.assign(run!, { seq, hash });
      } else if (shape.kind === 'checkpoint') {
        const c = shape.value as unknown as SignedCheckpoint & { publicKey?: string };
        if (options.tenant && c.tenant !== options.tenant) continue;
        const key = trustedKey(c, options.trustedKeys);
        if (!key || !checkpointSignatureValid(c, key)) {
          fail(
            c.tenant,
            c.seq,
            'checkpoint_signature_invalid',
            `the checkpoint at seq ${c.seq} is not validly signed`,
          );
        }
        const s = tenantState(c.tenant);
        if (!s.run) fail(c.tenant, c.seq, 'inserted', 'a checkpoint that follows no event');
        if (s.run!.seq !== c.seq || s.run!.hash !== c.hash) {
          fail(
            c.tenant,
            c.seq,
            'checkpoint_mismatch',
            `the chain reaches ${s.run!.seq}, and its hash is not the one signed at ${c.seq}`,
          );
        }
        checkpoints++;
        s.run = null;
        s.reached = c;
      } else if (shape.kind === 'end') {
        const end = shape.value as unknown as SignedExportEnd & { publicKey?: string };
        if (options.tenant && end.tenant !== options.tenant) continue;
        const key = trustedKey(end, options.trustedKeys);
        if (!key || !exportEndSignatureValid(end, key)) {
          fail(
            String(end.tenant),
            Number(end.seq),
            'checkpoint_signature_invalid',
            "the export's end line is not validly signed",
          );
        }
        const s = tenantState(end.tenant);
        const problem = exportEndProblem(end, {
          events: s.events,
          seqsDigest: s.seqs.digest(),
          reached: s.reached,
        });
        if (problem) fail(end.tenant, problem.seq, problem.kind, problem.message);
        s.end = end;
      } else {
        const e = line as { seq: number; tenant: string; receivedAt: string; hash: string; prevHash: string };
        if (options.tenant && e.tenant !== options.tenant) continue;
        const id = String(line.id);
        const body: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(line)) if (!EXPORT_FIELDS.has(k)) setOwn(body, k, v);
        const s = tenantState(e.tenant);
        const last = s.lastEvent;
        if (last && e.seq === last.seq) {
          const ids = [last.id, id];
          fail(e.tenant, e.seq, 'inserted', `two events claim seq ${e.seq}: ids ${ids.join(' and ')}`, ids);
        }
        if (last && e.seq < last.seq)
          fail(e.tenant, e.seq, 'reordered', `seq ${e.seq} comes after seq ${last.seq}`);
        const canonical = canonicalJson(body);
        const digest = entryDigest('event', e.receivedAt, canonical);
        if (linkHash(e.tenant, e.seq, e.prevHash, digest) !== e.hash) {
          const message = `line ${lineNo}: the content of seq ${e.seq} does not match its hash`;
          altered = { problem: { tenant: e.tenant, seq: e.seq, kind: 'altered', message, ids: [id] } };
          continue;
        }
        // The hash covers what a parser keeps; the line must also be those very bytes, as exported: a key
        // written twice (a parser keeps the last) would show a reader a value the hash does not cover.
        // (Exports before 4f5bdad wrote their lines in another order: accepted as such with the weaker checks.)
        const asExported = exportLineText(e.seq, e.tenant, e.receivedAt, canonical, e.prevHash, e.hash);
        if (strict && text.trimEnd() !== asExported) {
          fail(
            e.tenant,
            e.seq,
            'altered',
            `seq ${e.seq} is not written as its hashed bytes (a key written twice, or moved?)`,
            [id],
          );
        }
        const run = s.run;
        if (run) {
          if (e.seq <= run.seq) fail(e.tenant, e.seq, 'reordered', `seq ${e.seq} comes after seq ${run.seq}`);
          if (e.seq > run.seq + 1)
            fail(
              e.tenant,
              run.seq + 1,
              'missing',
              `entries ${run.seq + 1}–${e.seq - 1} are absent and not bridged`,
            );
          if (e.prevHash !== run.hash)
            fail(e.tenant, e.seq, 'altered', `seq ${e.seq} does not link to seq ${run.seq}`);
        } else {
          // A segment starts: its first event names the hash before it, proven with the segment.
          at(e.tenant, e.seq - 1, e.prevHash);
        }
        at(e.tenant, e.seq, e.hash);
        s.run = { seq: e.seq, hash: e.hash, firstEvent: run?.firstEvent ?? e.seq };
        s.lastEvent = { seq: e.seq, id };
        s.events++;
        s.seqs.push(e.seq);
        events++;
        if (events % 10_000 === 0) options.onProgress?.(events);
      }
    }
    if (altered) throw new Failure(altered.problem);
    lineNo = 0;
    for (const [tenant, s] of state) {
      if (s.run)
        fail(
          tenant,
          s.run.firstEvent,
          'missing',
          `no signed checkpoint follows the events from seq ${s.run.firstEvent}`,
        );
      const noEnd = s.end ? undefined : missingEndMessage(tenant, s.reached, options);
      if (noEnd) fail(tenant, (s.reached?.seq ?? 0) + 1, 'missing', noEnd);
    }
    const short = saved.finish((tenant) => state.get(tenant)?.reached);
    if (short) {
      const { c, reached } = short;
      fail(
        c.tenant,
        reached.seq + 1,
        'missing',
        `the export ends at seq ${reached.seq} (signed ${reached.signedAt}), before the checkpoint saved in ${c.source} at seq ${c.seq}, signed earlier: entries were removed`,
      );
    }
  } catch (error) {
    if (!(error instanceof Failure)) throw error;
    return report(error.problem);
  }
  options.onProgress?.(events);
  return report(undefined);
}

/** Saved checkpoints, matched against the chain as the export shows it (per tenant, in seq order). */
class SavedInExport {
  readonly all: readonly SavedCheckpoint[];
  readonly uncovered: SavedCheckpoint[] = [];
  extended = 0;
  readonly #pending = new Map<string, SavedCheckpoint[]>();

  constructor(saved: readonly SavedCheckpoint[]) {
    this.all = saved;
    for (const c of [...saved].sort((a, b) => a.seq - b.seq)) {
      const list = this.#pending.get(c.tenant) ?? [];
      list.push(c);
      this.#pending.set(c.tenant, list);
    }
  }

  /** The export shows `hash` at `seq`: the saved checkpoint there if it disagrees; those passed over are not covered. */
  at(tenant: string, seq: number, hash: string): SavedCheckpoint | undefined {
    const list = this.#pending.get(tenant);
    while (list?.length && list[0]!.seq <= seq) {
      const c = list.shift()!;
      if (c.seq < seq) this.uncovered.push(c);
      else if (c.hash !== hash) return c;
      else this.extended++;
    }
    return undefined;
  }

  /** After the pass: a saved checkpoint beyond an export signed after it means the chain got shorter. */
  finish(
    reached: (tenant: string) => SignedCheckpoint | undefined,
  ): { c: SavedCheckpoint; reached: SignedCheckpoint } | undefined {
    for (const [tenant, list] of this.#pending) {
      const r = reached(tenant);
      for (const c of list) {
        if (r && c.seq > r.seq && Date.parse(r.signedAt) >= Date.parse(c.signedAt)) return { c, reached: r };
        this.uncovered.push(c);
      }
    }
    return undefined;
  }
}

/** The key to check a checkpoint with: one of the given keys, or (without any) the key the file carries. */
function trustedKey(
  c: { keyId: string; publicKey?: string },
  given?: ReadonlyMap<string, string>,
): string | undefined {
  if (given) return given.get(c.keyId);
  if (!c.publicKey) return undefined;
  try {
    const info = publicKeyInfo(c.publicKey);
    return info.keyId === c.keyId ? info.publicKeyPem : undefined;
  } catch {
    return undefined;
  }
}
