import { useMemo } from 'react';
import type { FailureBucket } from '../api/types.ts';
import { toSeries } from '../format/failure-series.ts';
import { formatLocal } from '../format/format-time.ts';
import { SafeText, visibleText } from './safe-text.tsx';

/** Colour-blind-safe palette (Okabe–Ito), dark enough against white; the legend and table also name keys. */
const COLORS = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#8a6d00', '#56B4E9', '#6b6b6b'];
const W = 720;
const H = 200;
const PAD = { left: 36, right: 8, top: 10, bottom: 24 };

/**
 * Failed sign-ins over time as stacked bars, one colour per user or IP. A hand-made SVG (no chart library);
 * the same numbers are in a table below it for screen readers and exact reading.
 */
export function FailureChart({ title, buckets }: { title: string; buckets: FailureBucket[] }) {
  const series = useMemo(() => toSeries(buckets), [buckets]);
  const ends = buckets.map((b) => b.to);
  const n = ends.length;
  const stackTotals = ends.map((_, i) => series.reduce((s, x) => s + (x.counts[i] ?? 0), 0));
  const max = Math.max(1, ...stackTotals);
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const barW = plotW / n;
  const y = (v: number) => PAD.top + plotH - (v / max) * plotH;
  const total = stackTotals.reduce((a, b) => a + b, 0);
  const summary = `${title}: ${total} failed attempts${
    series.length
      ? `; most: ${series
          .slice(0, 3)
          .map((s) => `${visibleText(s.key)} ${s.total}`)
          .join(', ')}`
      : ''
  }`;
  return (
    <figure className="failure-chart">
      <figcaption>
        <strong>{title}</strong> <span className="muted">({total} failed attempts)</span>
      </figcaption>
      <svg className="chart-svg" viewBox={`0 0 ${W} ${H}`} role="img" aria-label={summary}>
        {[0, 0.5, 1].map((f) => (
          <g key={f}>
            <line
              x1={PAD.left}
              x2={W - PAD.right}
              y1={y(max * f)}
              y2={y(max * f)}
              stroke="#d0d4da"
              strokeWidth={1}
            />
            <text x={PAD.left - 4} y={y(max * f) + 4} textAnchor="end" fontSize={11} fill="#444">
              {Math.round(max * f)}
            </text>
          </g>
        ))}
        {ends.map((end, i) => {
          let base = 0;
          return (
            <g key={end}>
              {series.map((s, k) => {
                const v = s.counts[i] ?? 0;
                if (v === 0) return null;
                const top = y(base + v);
                const height = y(base) - top;
                base += v;
                return (
                  <rect
                    key={s.key}
                    x={PAD.left + i * barW + 1}
                    y={top}
                    width={Math.max(1, barW - 2)}
                    height={height}
                    fill={COLORS[k % COLORS.length]}
                  >
                    <title>{`${visibleText(s.key)}: ${v} from ${formatLocal(buckets[i]!.from, false)} to ${formatLocal(end, false).slice(11)}`}</title>
                  </rect>
                );
              })}
            </g>
          );
        })}
        {/* The axis: the window's start, the start of its middle bucket, its end. */}
        {n > 0
          ? (
              [
                [0, buckets[0]!.from, 'start'],
                [Math.floor(n / 2), buckets[Math.floor(n / 2)]!.from, 'middle'],
                [n, buckets[n - 1]!.to, 'end'],
              ] as const
            ).map(([i, at, anchor]) => (
              <text
                key={anchor}
                x={PAD.left + i * barW}
                y={H - 6}
                textAnchor={anchor}
                fontSize={11}
                fill="#444"
              >
                {formatLocal(at, false).slice(5)}
              </text>
            ))
          : null}
      </svg>
      <ul className="legend">
        {series.map((s, k) => (
          <li key={s.key}>
            <span className="swatch">
              <svg viewBox="0 0 10 10" width="10" height="10" aria-hidden="true">
                <rect width="10" height="10" fill={COLORS[k % COLORS.length]} />
              </svg>
            </span>
            <SafeText value={s.key} /> <span className="muted">{s.total}</span>
          </li>
        ))}
      </ul>
      <details>
        <summary>Show as table</summary>
        <div className="table-scroll">
          <table className="data-table">
            <thead>
              <tr>
                <th scope="col">Period</th>
                {series.map((s) => (
                  <th scope="col" key={s.key}>
                    <SafeText value={s.key} />
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {buckets.map((b, i) => (
                <tr key={b.to} data-bucket-from={b.from}>
                  <th scope="row">
                    {formatLocal(b.from, false)} – {formatLocal(b.to, false).slice(11)}
                  </th>
                  {series.map((s) => (
                    <td key={s.key}>{s.counts[i]}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}
