import { useCatalog } from '../catalog/catalog-provider.tsx';
import { type AuditFilter, activeFilterCount, EMPTY_FILTER } from '../filters/audit-filter.ts';
import { ChoiceFilter } from './choice-filter.tsx';
import { DateRangeFilter } from './date-range-filter.tsx';
import { TextFilter } from './text-filter.tsx';
import { UserFilter } from './user-filter.tsx';

const ACTION_OPTIONS = [
  { key: 'create', label: 'Create' },
  { key: 'update', label: 'Update' },
  { key: 'delete', label: 'Delete' },
];

/** The structured filters of the Audit Log page; every change goes straight to the URL. */
export function FilterBar({ filter, onChange }: { filter: AuditFilter; onChange: (f: AuditFilter) => void }) {
  const set = <K extends keyof AuditFilter>(key: K, value: AuditFilter[K]) =>
    onChange({ ...filter, [key]: value });
  const active = activeFilterCount(filter);
  const catalog = useCatalog();
  // The server's categories; a category in the URL that the catalog does not list stays, to be unchecked.
  const categories = [
    ...catalog.categories,
    ...filter.categories
      .filter((k) => !catalog.categories.some((c) => c.key === k))
      .map((key) => ({ key, label: key })),
  ];
  return (
    <section className="filter-bar" aria-label="Filters">
      <DateRangeFilter value={filter} onChange={(r) => onChange({ ...filter, ...r })} />
      <UserFilter users={filter.users} onChange={(users) => set('users', users)} />
      <ChoiceFilter
        legend="Action"
        name="action"
        options={ACTION_OPTIONS}
        selected={filter.actions}
        onChange={(v) => set('actions', v)}
      />
      <ChoiceFilter
        legend="Category"
        name="category"
        options={categories}
        selected={filter.categories}
        onChange={(v) => set('categories', v)}
        collapsible
        note={catalog.known ? undefined : 'Loading the categories…'}
      />
      <TextFilter
        name="targetType"
        label="Target type"
        placeholder="e.g. Carrier"
        value={filter.targetType}
        onCommit={(v) => set('targetType', v)}
      />
      <TextFilter
        name="targetId"
        label="Target id"
        placeholder="e.g. trunk-provider-1"
        value={filter.targetId}
        onCommit={(v) => set('targetId', v)}
      />
      <TextFilter
        name="ip"
        label="IP or CIDR"
        placeholder="10.0.0.0/8"
        value={filter.ip}
        onCommit={(v) => set('ip', v)}
      />
      {filter.target || filter.eventTypes.length > 0 || filter.sessionId ? (
        <div className="filter extra-filters">
          <span className="label">Also</span>
          {filter.target ? (
            <Chip label={`target: ${filter.target}`} onRemove={() => set('target', undefined)} />
          ) : null}
          {filter.eventTypes.map((t) => (
            <Chip
              key={t}
              label={`event: ${t}`}
              onRemove={() =>
                set(
                  'eventTypes',
                  filter.eventTypes.filter((x) => x !== t),
                )
              }
            />
          ))}
          {filter.sessionId ? (
            <Chip label={`session: ${filter.sessionId}`} onRemove={() => set('sessionId', undefined)} />
          ) : null}
        </div>
      ) : null}
      <div className="filter filter-clear">
        <button type="button" disabled={active === 0} onClick={() => onChange(EMPTY_FILTER)}>
          Clear filters{active > 0 ? ` (${active})` : ''}
        </button>
      </div>
    </section>
  );
}

function Chip({ label, onRemove }: { label: string; onRemove: () => void }) {
  return (
    <span className="chip">
      {label}
      <button type="button" className="chip-remove" aria-label={`Remove filter ${label}`} onClick={onRemove}>
        ✕
      </button>
    </span>
  );
}
