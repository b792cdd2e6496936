import { useId } from 'react';
import {
  type DateRange,
  fromLocalInput,
  RANGE_PRESETS,
  type RangeKey,
  toLocalInput,
} from '../filters/date-range.ts';

/** The date range: a preset, or custom From/To in local time (stored as UTC in the URL). */
export function DateRangeFilter({ value, onChange }: { value: DateRange; onChange: (r: DateRange) => void }) {
  const id = useId();
  return (
    <div className="filter filter-range">
      <label htmlFor={`${id}-range`}>Date range</label>
      <select
        id={`${id}-range`}
        name="range"
        value={value.range}
        onChange={(e) => {
          const range = e.target.value as RangeKey;
          onChange(range === 'custom' ? { range, from: value.from, to: value.to } : { range });
        }}
      >
        {RANGE_PRESETS.map((p) => (
          <option key={p.key} value={p.key}>
            {p.label}
          </option>
        ))}
      </select>
      {value.range === 'custom' ? (
        <div className="custom-range">
          <label htmlFor={`${id}-from`}>From</label>
          <input
            id={`${id}-from`}
            name="from"
            type="datetime-local"
            value={toLocalInput(value.from)}
            onChange={(e) => onChange({ ...value, from: fromLocalInput(e.target.value) })}
          />
          <label htmlFor={`${id}-to`}>To</label>
          <input
            id={`${id}-to`}
            name="to"
            type="datetime-local"
            value={toLocalInput(value.to)}
            onChange={(e) => onChange({ ...value, to: fromLocalInput(e.target.value) })}
          />
        </div>
      ) : null}
    </div>
  );
}
