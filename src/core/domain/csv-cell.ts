/** = + - @ tab CR */
export function isFormulaStart(c: number): boolean {
  return c === 61 || c === 43 || c === 45 || c === 64 || c === 9 || c === 13;
}

/**
 * A cell as RFC 4180 wants it, with the rules the export has always had (those of Papa Parse's unparse, which
 * made it before): formulas neutralised, then quoted when it holds a comma, a quote, CR, LF or a byte order
 * mark, or starts or ends with a space; a quote inside is doubled. Absent values are empty cells; other
 * non-strings (never in a valid event, possible in a legacy body) are their String().
 */
export function cell(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') return quoted(String(value));
  if (value === '') return value;
  return quoted(isFormulaStart(value.charCodeAt(0)) ? `'${value}` : value);
}

/** What makes a cell quoted, besides a space at either end. */
const SPECIAL = /[",\r\n\ufeff]/;

function quoted(text: string): string {
  if (SPECIAL.test(text)) return text.includes('"') ? `"${text.replaceAll('"', '""')}"` : `"${text}"`;
  return text.charCodeAt(0) === 32 || text.charCodeAt(text.length - 1) === 32 ? `"${text}"` : text;
}
