import { latinLookAlikes } from './look-alikes.js';

/**
 * Text read as its letters, for finding secret words spelt otherwise: compatibility forms as their letters
 * (NFKC: full-width `ｐａｓｓｗｏｒｄ＝` is `password=`) and look-alike letters as Latin (look-alikes.ts).
 * ASCII is kept as it is; each run of other characters is folded as a whole (a word, mostly: memoised, as
 * words repeat). A span found in the folded text maps back onto the text as sent: code point by code point
 * where the run folds as its code points do, else to the whole run — NFKC can turn one unit into several
 * (`ﬁ` → `fi`) or several into one, so a span that begins or ends inside such a unit takes all of it.
 */
export interface Folded {
  text: string;
  /** For each unit of `text`, where the original unit(s) it came from begin and end. */
  from: number[];
  to: number[];
}

const MEMO_LIMIT = 10_000;
const MEMO_RUN = 64;
const memo = new Map<string, string>();

function foldRun(run: string): string {
  let folded = memo.get(run);
  if (folded === undefined) {
    folded = latinLookAlikes(run.normalize('NFKC'));
    if (run.length <= MEMO_RUN) {
      if (memo.size >= MEMO_LIMIT) memo.clear();
      memo.set(run, folded);
    }
  }
  return folded;
}

const NON_ASCII = /[^\u0000-\u007f]/;
const RUNS = /[^\u0000-\u007f]+/g;

/** The folded form of `text`, or undefined when folding changes nothing (all ASCII text, most other). */
export function foldText(text: string): string | undefined {
  if (!NON_ASCII.test(text)) return undefined;
  const folded = text.replace(RUNS, foldRun);
  return folded === text ? undefined : folded;
}

/**
 * The same folded text as `foldText`, with where each unit came from: built slower, only for the rare text
 * in whose folded form a secret was found.
 */
export function foldWithOrigins(text: string): Folded {
  const out: Folded = { text: '', from: [], to: [] };
  const put = (units: string, from: number, to: number) => {
    out.text += units;
    for (let k = 0; k < units.length; k++) {
      out.from.push(from);
      out.to.push(to);
    }
  };
  let last = 0;
  for (const m of text.matchAll(RUNS)) {
    for (let i = last; i < m.index; i++) put(text[i]!, i, i + 1);
    const run = m[0];
    const folded = foldRun(run);
    const points = [...run];
    if (points.map(foldRun).join('') === folded) {
      let at = m.index;
      for (const p of points) {
        put(foldRun(p), at, at + p.length);
        at += p.length;
      }
    } else put(folded, m.index, m.index + run.length);
    last = m.index + run.length;
  }
  for (let i = last; i < text.length; i++) put(text[i]!, i, i + 1);
  return out;
}

/** The span of the original text that folded units [start, end) came from. */
export function originalSpan(f: Folded, start: number, end: number): [number, number] {
  return [f.from[start]!, f.to[end - 1]!];
}
