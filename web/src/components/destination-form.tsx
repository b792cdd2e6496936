import { type FormEvent, type ReactNode, useState } from 'react';
import type { DestinationAndSecret } from '../api/destination-types.ts';
import { api } from '../api/endpoints.ts';
import type { Destination } from '../api/types.ts';
import { useToken } from '../auth/session-context.tsx';
import { useCatalog } from '../catalog/catalog-provider.tsx';
import {
  createBody,
  type DestinationDraft,
  type DestinationKind,
  draftOf,
  draftProblems,
  emptyDraft,
  FIELD_KEYS,
  FIELD_LABELS,
  MAX_MESSAGE_SIZE,
  type PayloadFormat,
  updateBody,
} from '../format/destination-draft.ts';
import { type FormErrors, formErrors } from '../format/field-errors.ts';
import { FormRefusal } from './form-refusal.tsx';

/**
 * Creates a destination, or edits one (`editing`): its kind's settings and its filter. The server checks
 * everything; a refusal is shown at the top and each message next to the field it names.
 */
export function DestinationForm({
  editing,
  onSaved,
  onCancel,
}: {
  editing?: Destination;
  onSaved: (saved: DestinationAndSecret) => void;
  onCancel: () => void;
}) {
  const token = useToken();
  const catalog = useCatalog();
  const [draft, setDraft] = useState<DestinationDraft>(() => (editing ? draftOf(editing) : emptyDraft()));
  const [errors, setErrors] = useState<FormErrors | null>(null);
  const [busy, setBusy] = useState(false);
  const set = (patch: Partial<DestinationDraft>) => setDraft((d) => ({ ...d, ...patch }));
  const prefix = editing ? `edit-${editing.id}` : 'new-destination';

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const problems = draftProblems(draft);
    if (Object.keys(problems).length > 0) {
      setErrors({ message: 'Not saved: check the fields marked.', fields: problems, other: [] });
      return;
    }
    setBusy(true);
    setErrors(null);
    try {
      onSaved(
        editing
          ? { destination: await api.updateDestination(token, editing.id, updateBody(draft)) }
          : await api.createDestination(token, createBody(draft)),
      );
    } catch (error) {
      setErrors(formErrors(error, FIELD_KEYS));
    } finally {
      setBusy(false);
    }
  };

  const field = (key: string) => {
    const messages = errors?.fields[key];
    return {
      id: `${prefix}-${key.replace('.', '-')}`,
      ...(messages
        ? { 'aria-invalid': true, 'aria-describedby': `${prefix}-${key.replace('.', '-')}-error` }
        : {}),
    };
  };
  const err = (key: string) => {
    const messages = errors?.fields[key];
    return messages ? (
      <p className="field-error" id={`${prefix}-${key.replace('.', '-')}-error`}>
        {FIELD_LABELS[key]} {messages.join('; ')}
      </p>
    ) : null;
  };
  const row = (key: string, label: string, input: ReactNode, hint?: string) => (
    <div className="destination-field">
      <label htmlFor={field(key).id}>{label}</label>
      {input}
      {hint ? <span className="muted small">{hint}</span> : null}
      {err(key)}
    </div>
  );
  const categoryKeys = [...catalog.categories.map((c) => c.key), 'security'].filter(
    (k, i, all) => all.indexOf(k) === i,
  );

  return (
    <form
      className="destination-form"
      aria-label={editing ? `Edit ${editing.name}` : 'New destination'}
      onSubmit={submit}
      noValidate
    >
      <h2>{editing ? 'Edit destination' : 'New destination'}</h2>
      {errors ? <FormRefusal errors={errors} labels={FIELD_LABELS} /> : null}
      {editing ? (
        <p>
          Kind: <strong>{editing.kind}</strong>
        </p>
      ) : (
        row(
          'kind',
          'Kind',
          <select
            {...field('kind')}
            value={draft.kind}
            onChange={(e) => set({ kind: e.target.value as DestinationKind })}
          >
            <option value="webhook">Webhook (HTTPS, signed)</option>
            <option value="syslog">Syslog (RFC 5424 over TCP or TLS)</option>
            <option value="nats">NATS JetStream</option>
          </select>,
        )
      )}
      {row(
        'name',
        'Name',
        <input
          type="text"
          {...field('name')}
          value={draft.name}
          onChange={(e) => set({ name: e.target.value })}
        />,
      )}
      {row(
        'format',
        'Format',
        <select
          {...field('format')}
          value={draft.format}
          onChange={(e) => set({ format: e.target.value as PayloadFormat })}
        >
          <option value="json">JSON</option>
          <option value="ocsf">OCSF</option>
          <option value="cef">CEF (syslog only)</option>
        </select>,
      )}
      {draft.kind === 'webhook'
        ? row(
            'url',
            'URL',
            <input
              type="text"
              {...field('url')}
              value={draft.url}
              onChange={(e) => set({ url: e.target.value })}
            />,
            'http:// or https://',
          )
        : null}
      {draft.kind === 'syslog' ? (
        <>
          {row(
            'host',
            'Host',
            <input
              type="text"
              {...field('host')}
              value={draft.host}
              onChange={(e) => set({ host: e.target.value })}
            />,
          )}
          {row(
            'port',
            'Port',
            <input
              type="text"
              inputMode="numeric"
              {...field('port')}
              value={draft.port}
              onChange={(e) => set({ port: e.target.value })}
            />,
          )}
          {row(
            'tls',
            'TLS (RFC 5425)',
            <input
              type="checkbox"
              {...field('tls')}
              checked={draft.tls}
              onChange={(e) => set({ tls: e.target.checked })}
            />,
          )}
          {draft.tls
            ? row(
                'caPem',
                'CA certificates (PEM)',
                <textarea
                  {...field('caPem')}
                  rows={3}
                  value={draft.caPem}
                  onChange={(e) => set({ caPem: e.target.value })}
                />,
                'empty: the system’s',
              )
            : null}
          {row(
            'maxMessageSize',
            'Max message size',
            <input
              type="text"
              inputMode="numeric"
              {...field('maxMessageSize')}
              placeholder={String(MAX_MESSAGE_SIZE.default)}
              value={draft.maxMessageSize}
              onChange={(e) => set({ maxMessageSize: e.target.value })}
            />,
            `bytes, ${MAX_MESSAGE_SIZE.minimum} to ${MAX_MESSAGE_SIZE.maximum} (default ${MAX_MESSAGE_SIZE.default}); a longer message is sent truncated`,
          )}
        </>
      ) : null}
      {draft.kind === 'nats' ? (
        <>
          {row(
            'servers',
            'Servers',
            <input
              type="text"
              {...field('servers')}
              value={draft.servers}
              onChange={(e) => set({ servers: e.target.value })}
            />,
            'nats:// or tls:// URLs, comma-separated',
          )}
          {row(
            'subject',
            'Subject',
            <input
              type="text"
              {...field('subject')}
              value={draft.subject}
              onChange={(e) => set({ subject: e.target.value })}
            />,
          )}
        </>
      ) : null}
      {editing?.kind === 'webhook' ? (
        <p className="destination-secret">
          Signing secret: <strong>set</strong>{' '}
          <span className="muted small mono">{editing.secretFingerprint}</span>{' '}
          <span className="muted small">(never shown; use Rotate secret for a new one)</span>
        </p>
      ) : null}
      <fieldset className="destination-filter">
        <legend>Filter</legend>
        <fieldset className="destination-field">
          <legend>Entries</legend>
          <label>
            <input type="checkbox" checked={draft.admin} onChange={(e) => set({ admin: e.target.checked })} />{' '}
            Administrative events
          </label>
          <label>
            <input type="checkbox" checked={draft.auth} onChange={(e) => set({ auth: e.target.checked })} />{' '}
            Sign-ins
          </label>
          {err('filter.streams')}
        </fieldset>
        <fieldset className="destination-field">
          <legend>Categories (none: all)</legend>
          <div className="destination-categories">
            {categoryKeys.map((key) => (
              <label key={key}>
                <input
                  type="checkbox"
                  checked={draft.categories.includes(key)}
                  onChange={(e) =>
                    set({
                      categories: e.target.checked
                        ? [...draft.categories, key]
                        : draft.categories.filter((c) => c !== key),
                    })
                  }
                />{' '}
                {key === 'security' ? 'Security' : catalog.categoryLabel(key)}
              </label>
            ))}
          </div>
          {err('filter.categories')}
        </fieldset>
        {row(
          'filter.eventTypes',
          'Event types',
          <input
            type="text"
            {...field('filter.eventTypes')}
            value={draft.eventTypes}
            onChange={(e) => set({ eventTypes: e.target.value })}
          />,
          'comma-separated event types or sign-in types; empty: all',
        )}
      </fieldset>
      {row(
        'batchSize',
        'Batch size',
        <input
          type="text"
          inputMode="numeric"
          {...field('batchSize')}
          value={draft.batchSize}
          onChange={(e) => set({ batchSize: e.target.value })}
        />,
      )}
      <div className="destination-form-actions">
        <button type="submit" className="primary" disabled={busy}>
          {editing ? 'Save changes' : 'Create destination'}
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
