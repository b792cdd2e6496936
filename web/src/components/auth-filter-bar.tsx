import type { AuthFilter } from '../filters/auth-filter.ts';
import { DateRangeFilter } from './date-range-filter.tsx';
import { TextFilter } from './text-filter.tsx';

export type AuthFilterField = 'user' | 'ip' | 'type' | 'method' | 'q' | 'active';

const TYPES = [
  ['', 'Any outcome'],
  ['login_success', 'Sign-in succeeded'],
  ['login_failure', 'Sign-in failed'],
  ['logout', 'Signed out'],
  ['session_expired', 'Session expired'],
  ['session_revoked', 'Session revoked'],
] as const;
const METHODS = [
  ['', 'Any method'],
  ['password', 'Password'],
  ['password_totp', 'Password + TOTP'],
  ['password_email_2fa', 'Password + email code'],
] as const;
const ACTIVE = [
  ['', 'Open and ended'],
  ['true', 'Open only'],
  ['false', 'Ended only'],
] as const;

/** The filters of one Authentication Log tab; `fields` says which ones the tab's endpoint accepts. */
export function AuthFilterBar(props: {
  filter: AuthFilter;
  fields: AuthFilterField[];
  onChange: (f: AuthFilter) => void;
  withRange?: boolean;
}) {
  const { filter, fields, onChange } = props;
  const set = (k: AuthFilterField, v: string | undefined) => onChange({ ...filter, [k]: v || undefined });
  const has = (k: AuthFilterField) => fields.includes(k);
  return (
    <section className="filter-bar" aria-label="Filters">
      {props.withRange !== false ? (
        <DateRangeFilter value={filter} onChange={(r) => onChange({ ...filter, ...r })} />
      ) : null}
      {has('user') ? (
        <TextFilter
          name="user"
          label="User"
          placeholder="username or id"
          value={filter.user}
          onCommit={(v) => set('user', v)}
        />
      ) : null}
      {has('ip') ? (
        <TextFilter
          name="ip"
          label="IP or CIDR"
          placeholder="10.0.0.0/8"
          value={filter.ip}
          onCommit={(v) => set('ip', v)}
        />
      ) : null}
      {has('type') ? (
        <Select
          label="Outcome"
          name="type"
          options={TYPES}
          value={filter.type}
          onChange={(v) => set('type', v)}
        />
      ) : null}
      {has('method') ? (
        <Select
          label="Method"
          name="method"
          options={METHODS}
          value={filter.method}
          onChange={(v) => set('method', v)}
        />
      ) : null}
      {has('active') ? (
        <Select
          label="Session state"
          name="active"
          options={ACTIVE}
          value={filter.active}
          onChange={(v) => set('active', v)}
        />
      ) : null}
      {has('q') ? (
        <TextFilter name="q" label="Keyword" value={filter.q} onCommit={(v) => set('q', v)} />
      ) : null}
    </section>
  );
}

function Select(props: {
  label: string;
  name: string;
  options: readonly (readonly [string, string])[];
  value: string | undefined;
  onChange: (v: string) => void;
}) {
  const id = `auth-filter-${props.name}`;
  return (
    <div className="filter">
      <label htmlFor={id}>{props.label}</label>
      <select
        id={id}
        name={props.name}
        value={props.value ?? ''}
        onChange={(e) => props.onChange(e.target.value)}
      >
        {props.options.map(([value, label]) => (
          <option key={value} value={value}>
            {label}
          </option>
        ))}
      </select>
    </div>
  );
}
