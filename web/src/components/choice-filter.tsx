import { useId } from 'react';

interface ChoiceFilterProps {
  legend: string;
  name: string;
  options: { key: string; label: string; description?: string }[];
  selected: string[];
  onChange: (selected: string[]) => void;
  /** Collapsed into a disclosure (for long lists). */
  collapsible?: boolean;
  /** Said under the choices, e.g. while they load. */
  note?: string;
}

/** A group of checkboxes; none checked means "any". */
export function ChoiceFilter(props: ChoiceFilterProps) {
  const id = useId();
  const toggle = (key: string, on: boolean) =>
    props.onChange(on ? [...props.selected, key] : props.selected.filter((k) => k !== key));
  const boxes = (
    <div className="choices">
      {props.options.map((o) => (
        <label key={o.key} className="choice" htmlFor={`${id}-${o.key}`} title={o.description}>
          <input
            id={`${id}-${o.key}`}
            type="checkbox"
            name={props.name}
            value={o.key}
            checked={props.selected.includes(o.key)}
            onChange={(e) => toggle(o.key, e.target.checked)}
          />
          {o.label}
        </label>
      ))}
      {props.note ? (
        <span className="muted small" role="status">
          {props.note}
        </span>
      ) : null}
    </div>
  );
  if (!props.collapsible) {
    return (
      <fieldset className="filter filter-choices">
        <legend>{props.legend}</legend>
        {boxes}
      </fieldset>
    );
  }
  const summary = props.selected.length === 0 ? 'Any' : `${props.selected.length} selected`;
  return (
    <fieldset className="filter filter-choices">
      <legend>{props.legend}</legend>
      <details className="choice-menu">
        <summary>{summary}</summary>
        {boxes}
      </details>
    </fieldset>
  );
}
