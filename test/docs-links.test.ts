import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// Every link of the README and docs/ must reach a file of this repository and, with a `#fragment`, a heading
// of the page it names: a clone has nothing outside the repository, and a renamed section breaks its links.
// Web links (https:, mailto:) are left alone. A link starting with `/` is relative to the repository root, as
// GitHub reads it (docs/ reaches BENCHMARKS.md so, since `](../` is refused by the pre-stop hook).

const root = resolve(new URL('..', import.meta.url).pathname);
const pages = [
  'README.md',
  ...readdirSync(join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

/** The text outside fenced code blocks and inline code spans, where a link is a link. */
function prose(markdown: string): string {
  return markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '').replace(/`[^`\n]*`/g, '');
}

/** Link and image targets: `[text](target)`, `![alt](target "title")`. */
function targets(markdown: string): string[] {
  return [...prose(markdown).matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]!);
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, each space a hyphen; repeats get -1, -2. */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  const withoutCode = markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '');
  for (const m of withoutCode.matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const text = m[1]!.replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1');
    const base = text
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\s_-]/gu, '')
      .replace(/ /g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

/** What is wrong with one link of `page`, or null. */
function problem(page: string, target: string): string | null {
  if (/^[a-z][a-z0-9+.-]*:/i.test(target)) {
    return /^(https?|mailto):/i.test(target) ? null : 'is neither a file of the repository nor a web link';
  }
  if (target.startsWith('../'))
    return 'climbs with ../ (refused by the pre-stop hook): start it with / from the root';
  const [path = '', fragment] = target.split('#', 2);
  const file =
    path === ''
      ? join(root, page)
      : path.startsWith('/')
        ? join(root, path)
        : join(root, dirname(page), path);
  const inside = relative(root, file);
  if (inside.startsWith('..') || resolve(file) !== join(root, inside)) return 'points outside the repository';
  if (!existsSync(file)) return `names ${inside}, which does not exist`;
  if (fragment === undefined) return null;
  if (!file.endsWith('.md') || statSync(file).isDirectory())
    return 'has an anchor into a file without headings';
  return anchors(readFileSync(file, 'utf8')).has(decodeURIComponent(fragment))
    ? null
    : `names #${fragment}, which is no heading of ${inside}`;
}

describe('documentation links', () => {
  it('finds the pages and their links', () => {
    expect(pages).toContain('docs/api.md');
    expect(targets('[a](x.md) `[b](y.md)` ![c](z.png "t")')).toEqual(['x.md', 'z.png']);
    expect(anchors('# The `GET /v1/events` page\n## Errors\n## Errors')).toEqual(
      new Set(['the-get-v1events-page', 'errors', 'errors-1']),
    );
  });

  it('reaches a file of the repository, and a heading of it, from every link of README.md and docs/', () => {
    const broken = pages.flatMap((page) =>
      targets(readFileSync(join(root, page), 'utf8')).flatMap((target) => {
        const why = problem(page, target);
        return why ? [`${page}: (${target}) ${why}`] : [];
      }),
    );
    expect(broken).toEqual([]);
  });
});
