/** Collects benchmark figures and prints them as aligned lines: name, value, and what it compares with. */
export interface Figure {
  section: string;
  name: string;
  value: string;
  compare?: string;
}

export class Report {
  readonly figures: Figure[] = [];

  add(section: string, name: string, value: string, compare?: string): void {
    this.figures.push({ section, name, value, compare });
    process.stdout.write(`  ${name.padEnd(46)} ${value.padStart(18)}${compare ? `   ${compare}` : ''}\n`);
  }

  section(title: string): string {
    process.stdout.write(`\n${title}\n`);
    return title;
  }
}

export const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
export const ms = (n: number) => `${n.toFixed(n < 10 ? 2 : 1)} ms`;

/** The figures as Markdown tables, one per section, for BENCHMARKS.md. */
export function toMarkdown(figures: Figure[], header: string): string {
  const out = [header, ''];
  let section = '';
  for (const f of figures) {
    if (f.section !== section) {
      section = f.section;
      out.push('', `### ${section}`, '', '| measure | value | compared with |', '| --- | ---: | --- |');
    }
    out.push(`| ${f.name} | ${f.value} | ${f.compare ?? ''} |`);
  }
  return `${out.join('\n')}\n`;
}
