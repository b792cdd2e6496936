import { existsSync, readFileSync } from 'node:fs';
import { AuditError } from '../core/domain/errors.js';

/**
 * A `--public-key` value, a file or the key's text, read with `parse`; a value that does not read names the
 * flag and the file (or says there is no such file), not only the decoder's error.
 */
export function readPublicKeyArg<T>(value: string, parse: (text: string) => T): T {
  const isText = value.includes('-----BEGIN');
  const isFile = !isText && existsSync(value);
  try {
    return parse(isFile ? readFileSync(value, 'utf8') : value);
  } catch (error) {
    const what = isText ? 'the PEM text given' : isFile ? `file ${value}` : `${value} (no such file)`;
    const reason = error instanceof Error ? error.message : String(error);
    throw new AuditError('invalid_request', `--public-key ${what} is not a public key: ${reason}`);
  }
}
