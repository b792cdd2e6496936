import { randomBytes } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** A secret kept in a file readable by its owner only; undefined when the file does not exist. */
export function readKeyFile(file: string): string | undefined {
  return existsSync(file) ? readFileSync(file, 'utf8').trim() : undefined;
}

/**
 * Writes the secret unless the file exists (another process won the race), and answers the kept one. The
 * file appears whole or not at all: written under a name of its own, then hard-linked to its name, which
 * fails if that exists. (Created in place, a second node starting in the same instant read it empty.)
 */
export function writeKeyFileOnce(file: string, secret: string): string {
  mkdirSync(dirname(file), { recursive: true });
  const draft = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  writeFileSync(draft, `${secret}\n`, { mode: 0o600, flag: 'wx' });
  try {
    linkSync(draft, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    unlinkSync(draft);
  }
  return readFileSync(file, 'utf8').trim();
}

/** The erasure key's file beside a signing key's: `x.signing-key.pem` → `x.erasure-key`. */
export function erasureKeyFileBeside(signingKeyFile: string): string {
  const sibling = signingKeyFile.replace(/signing-key\.pem$/, 'erasure-key');
  return sibling === signingKeyFile ? `${signingKeyFile}.erasure-key` : sibling;
}
