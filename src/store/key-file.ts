import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** A secret kept in a file readable by its owner only; undefined when the file does not exist. */
export function readKeyFile(file: string): string | undefined {
  return existsSync(file) ? readFileSync(file, 'utf8').trim() : undefined;
}

/** Writes the secret unless the file exists (another process won the race), and answers the kept one. */
export function writeKeyFileOnce(file: string, secret: string): string {
  mkdirSync(dirname(file), { recursive: true });
  try {
    writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return readFileSync(file, 'utf8').trim();
}

/** The erasure key's file beside a signing key's: `x.signing-key.pem` → `x.erasure-key`. */
export function erasureKeyFileBeside(signingKeyFile: string): string {
  const sibling = signingKeyFile.replace(/signing-key\.pem$/, 'erasure-key');
  return sibling === signingKeyFile ? `${signingKeyFile}.erasure-key` : sibling;
}
