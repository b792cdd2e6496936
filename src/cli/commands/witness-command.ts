import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { AuditError } from '../../core/domain/errors.js';
import { cosign } from '../../core/domain/merkle/cosignature.js';
import { checkConsistency, checkSignedCheckpoint } from '../../core/domain/merkle/proof-bundle.js';
import { readLogKey } from '../../core/domain/merkle/proof-files.js';
import { COSIGNATURE_TYPE, parseNote, verifierKey } from '../../core/domain/merkle/signed-note.js';

interface WitnessFlags {
  url: string;
  token?: string;
  logKey: string;
  key: string;
  name: string;
  state: string;
}

/** What the witness keeps per log (by origin): the last checkpoint it accepted. */
type WitnessState = Record<string, { size: number; rootHash: string; note: string }>;

export function registerWitness(program: Command): void {
  program
    .command('witness')
    .description(
      "Fetch the log's newest signed checkpoint, accept it only if it extends the last one accepted (consistency proof), cosign it and post the cosignature; exit 1 on a fork or a shrinking tree",
    )
    .requiredOption('--url <url>', 'the auditlog server, e.g. https://audit.internal')
    .option('--token <token>', 'a token with the read and ingest scopes (default: $AUDITLOG_TOKEN)')
    .requiredOption('--log-key <key>', "the log's public key: PEM file or text, or its verifier key")
    .requiredOption('--key <file>', "the witness's Ed25519 private key (PEM; created when absent)")
    .option('--name <name>', 'the witness name in its cosignatures', 'auditlog-witness')
    .requiredOption('--state <file>', 'where the last accepted checkpoint per log is kept (JSON)')
    .action(async (flags: WitnessFlags) => {
      const token = flags.token ?? process.env.AUDITLOG_TOKEN;
      if (!token) throw new AuditError('invalid_request', 'Give --token or set AUDITLOG_TOKEN');
      const logKey = readLogKey(existsSync(flags.logKey) ? readFileSync(flags.logKey, 'utf8') : flags.logKey);
      const witnessKey = loadOrCreateKey(flags.key);
      const api = client(flags.url, token);
      const latest = (await api('GET', '/v1/integrity/merkle/checkpoint')) as { note: string };
      const signed = checkSignedCheckpoint(latest.note, logKey.publicKey);
      if (!signed.ok) return refuse(signed.reason);
      const head = signed.head;
      const state: WitnessState = existsSync(flags.state)
        ? JSON.parse(readFileSync(flags.state, 'utf8'))
        : {};
      const last = state[head.origin];
      if (last) {
        const earlier = {
          origin: head.origin,
          size: last.size,
          rootHash: Buffer.from(last.rootHash, 'base64'),
        };
        const proof =
          last.size > 0 && last.size < head.size
            ? (
                (await api('GET', `/v1/integrity/merkle/consistency?from=${last.size}&to=${head.size}`)) as {
                  proof: string[];
                }
              ).proof
            : [];
        const check = checkConsistency(earlier, head, proof);
        if (!check.ok) return refuse(`${head.origin}: ${check.reason}`);
      }
      const body = parseNote(latest.note)!.body;
      const line = cosign(body, flags.name, witnessKey, Math.floor(Date.now() / 1000));
      await api('POST', '/v1/integrity/merkle/cosignatures', {
        note: latest.note + line,
        witnessKey: verifierKey(flags.name, createPublicKey(witnessKey), COSIGNATURE_TYPE),
      });
      state[head.origin] = { size: head.size, rootHash: head.rootHash.toString('base64'), note: latest.note };
      writeFileSync(`${flags.state}.tmp`, `${JSON.stringify(state, null, 2)}\n`);
      renameSync(`${flags.state}.tmp`, flags.state);
      process.stdout.write(
        `OK accepted ${head.origin} at size ${head.size}${last ? ` (extends size ${last.size})` : ' (first checkpoint seen)'}; cosigned as ${flags.name}\n`,
      );
    });
}

function refuse(reason: string): void {
  process.stdout.write(`REFUSED ${reason}\n`);
  process.exitCode = 1;
}

function loadOrCreateKey(file: string): KeyObject {
  if (!existsSync(file)) {
    const pem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' });
    writeFileSync(file, pem, { mode: 0o600, flag: 'wx' });
  }
  return createPrivateKey(readFileSync(file, 'utf8'));
}

function client(base: string, token: string) {
  return async (method: string, path: string, json?: unknown): Promise<unknown> => {
    const res = await fetch(new URL(path, base), {
      method,
      headers: { authorization: `Bearer ${token}`, ...(json ? { 'content-type': 'application/json' } : {}) },
      body: json ? JSON.stringify(json) : undefined,
    });
    const text = await res.text();
    if (!res.ok)
      throw new AuditError('invalid_request', `${method} ${path}: ${res.status} ${text.slice(0, 300)}`);
    return JSON.parse(text);
  };
}
