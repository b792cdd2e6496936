import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { canonicalJson } from './canonical-json.js';
import type { Problem, ProblemKind } from './chain-verifier.js';
import { entryDigest, linkHash } from './hash-chain.js';
import { setOwn } from './own-property.js';
import { checkpointSignatureValid, publicKeyInfo, type SignedCheckpoint } from './signing.js';

export interface ExportVerifyReport {
  events: number;
  checkpoints: number;
  problem: Problem | undefined;
  elapsedMs: number;
  keySource: 'given' | 'file';
}

/** Fields an export adds to an event; everything else is the hashed body. */
const EXPORT_FIELDS = new Set(['seq', 'tenant', 'receivedAt', 'hash', 'prevHash']);

class Failure extends Error {
  constructor(readonly problem: Problem) {
    super(problem.message);
  }
}

/**
 * Checks a verifiable NDJSON export (verifiable-export.ts) offline, in one pass: each event's hash from
 * its content, the chain through bridges and events, and each checkpoint's signature and hash. Every
 * event must be proven by a checkpoint that follows it.
 */
export async function verifyExportFile(
  file: string,
  options: {
    trustedKeys?: ReadonlyMap<string, string>;
    tenant?: string;
    onProgress?: (events: number) => void;
  } = {},
): Promise<ExportVerifyReport> {
  const started = performance.now();
  const state = new Map<string, { seq: number; hash: string; firstEvent: number } | null>();
  let events = 0;
  let checkpoints = 0;
  let lineNo = 0;
  const fail = (tenant: string, seq: number, kind: ProblemKind, message: string): never => {
    throw new Failure({ tenant, seq, kind, message: `line ${lineNo}: ${message}` });
  };
  try {
    const rl = createInterface({ input: createReadStream(file), crlfDelay: Number.POSITIVE_INFINITY });
    for await (const text of rl) {
      lineNo++;
      if (text.trim() === '') continue;
      let line: Record<string, unknown>;
      try {
        line = JSON.parse(text);
      } catch {
        fail('?', 0, 'altered', 'is not valid JSON');
        continue;
      }
      if ('bridge' in line) {
        const b = line.bridge as { tenant: string; fromSeq: number; digests: string[] };
        if (options.tenant && b.tenant !== options.tenant) continue;
        const run = state.get(b.tenant);
        if (!run) fail(b.tenant, b.fromSeq, 'inserted', 'a bridge that follows no event');
        let { seq, hash } = run!;
        if (b.fromSeq !== seq + 1)
          fail(b.tenant, seq + 1, 'missing', `the bridge starts at ${b.fromSeq}, not ${seq + 1}`);
        for (const digest of b.digests) {
          seq += 1;
          hash = linkHash(b.tenant, seq, hash, digest);
        }
        state.set(b.tenant, { ...run!, seq, hash });
      } else if ('checkpoint' in line) {
        const c = line.checkpoint as SignedCheckpoint & { publicKey?: string };
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
        const run = state.get(c.tenant);
        if (!run) fail(c.tenant, c.seq, 'inserted', 'a checkpoint that follows no event');
        if (run!.seq !== c.seq || run!.hash !== c.hash) {
          fail(
            c.tenant,
            c.seq,
            'checkpoint_mismatch',
            `the chain reaches ${run!.seq}, and its hash is not the one signed at ${c.seq}`,
          );
        }
        checkpoints++;
        state.set(c.tenant, null);
      } else {
        const e = line as { seq: number; tenant: string; receivedAt: string; hash: string; prevHash: string };
        if (options.tenant && e.tenant !== options.tenant) continue;
        const body: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(line)) if (!EXPORT_FIELDS.has(k)) setOwn(body, k, v);
        const digest = entryDigest('event', e.receivedAt, canonicalJson(body));
        if (linkHash(e.tenant, e.seq, e.prevHash, digest) !== e.hash) {
          fail(e.tenant, e.seq, 'altered', `the content of seq ${e.seq} does not match its hash`);
        }
        const run = state.get(e.tenant);
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
        }
        state.set(e.tenant, { seq: e.seq, hash: e.hash, firstEvent: run?.firstEvent ?? e.seq });
        events++;
        if (events % 10_000 === 0) options.onProgress?.(events);
      }
    }
    for (const [tenant, run] of state) {
      if (run)
        fail(
          tenant,
          run.firstEvent,
          'missing',
          `no signed checkpoint follows the events from seq ${run.firstEvent}`,
        );
    }
  } catch (error) {
    if (!(error instanceof Failure)) throw error;
    return {
      events,
      checkpoints,
      problem: error.problem,
      elapsedMs: performance.now() - started,
      keySource: source(options),
    };
  }
  options.onProgress?.(events);
  return {
    events,
    checkpoints,
    problem: undefined,
    elapsedMs: performance.now() - started,
    keySource: source(options),
  };
}

const source = (o: { trustedKeys?: unknown }) => (o.trustedKeys ? 'given' : 'file');

/** The key to check a checkpoint with: one of the given keys, or (without any) the key the file carries. */
function trustedKey(
  c: SignedCheckpoint & { publicKey?: string },
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
