import { useEffect, useId, useState } from 'react';

interface TextFilterProps {
  label: string;
  value: string | undefined;
  onCommit: (value: string | undefined) => void;
  placeholder?: string;
  list?: string;
  onInput?: (value: string) => void;
  onFocus?: () => void;
  hint?: string;
  name: string;
  invalid?: string | null;
}

/**
 * A text filter that applies on Enter or when it loses focus, not on every keystroke, so typing makes one
 * query and one history entry. It follows the URL when the filter changes elsewhere (back, a shared link).
 */
export function TextFilter(props: TextFilterProps) {
  const id = useId();
  const [text, setText] = useState(props.value ?? '');
  useEffect(() => setText(props.value ?? ''), [props.value]);
  const commit = () => {
    const v = text.trim() || undefined;
    if (v !== (props.value || undefined)) props.onCommit(v);
  };
  return (
    <div className="filter">
      <label htmlFor={id}>{props.label}</label>
      <input
        id={id}
        name={props.name}
        type="text"
        value={text}
        list={props.list}
        placeholder={props.placeholder}
        autoComplete="off"
        spellCheck={false}
        aria-invalid={props.invalid ? true : undefined}
        aria-describedby={props.invalid ? `${id}-error` : undefined}
        onChange={(e) => {
          setText(e.target.value);
          props.onInput?.(e.target.value);
        }}
        onBlur={commit}
        onFocus={props.onFocus}
        onKeyDown={(e) => {
          if (e.key === 'Enter') {
            e.preventDefault();
            commit();
          }
        }}
      />
      {props.invalid ? (
        <span id={`${id}-error`} className="field-error">
          {props.invalid}
        </span>
      ) : null}
    </div>
  );
}
