import { type FormEvent, useState } from 'react';
import type { DestinationAndSecret } from '../api/destination-types.ts';
import { api } from '../api/endpoints.ts';
import type { Destination } from '../api/types.ts';
import { useToken } from '../auth/session-context.tsx';
import { type FormErrors, formErrors } from '../format/field-errors.ts';
import { FormRefusal } from './form-refusal.tsx';
import { SafeText } from './safe-text.tsx';

/** Replay from a seq or from a time: the receiver sees those entries again (same ids, to dedupe on). */
export function ReplayPanel({
  d,
  onDone,
  onCancel,
}: {
  d: Destination;
  onDone: (message: string) => void;
  onCancel: () => void;
}) {
  const token = useToken();
  const [fromSeq, setFromSeq] = useState('');
  const [fromTime, setFromTime] = useState('');
  const [errors, setErrors] = useState<FormErrors | null>(null);
  const labels = { fromSeq: 'From seq', fromTime: 'From time' };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setErrors(null);
    const seq = fromSeq.trim();
    const body = {
      ...(seq ? { fromSeq: (/^\d+$/.test(seq) ? Number(seq) : seq) as number } : {}),
      // datetime-local is the reader's local time; the API takes RFC 3339.
      ...(fromTime ? { fromTime: new Date(fromTime).toISOString() } : {}),
    };
    try {
      const after = await api.replayDestination(token, d.id, body);
      onDone(`Replaying “${d.name}” from seq ${after.status.deliveredSeq + 1}.`);
    } catch (error) {
      setErrors(formErrors(error, Object.keys(labels)));
    }
  };
  const invalid = (key: string) =>
    errors?.fields[key] ? { 'aria-invalid': true, 'aria-describedby': `replay-${key}-error` } : {};
  const err = (key: 'fromSeq' | 'fromTime') =>
    errors?.fields[key] ? (
      <p className="field-error" id={`replay-${key}-error`}>
        {labels[key]} {errors.fields[key].join('; ')}
      </p>
    ) : null;
  return (
    <form className="destination-panel" aria-label={`Replay ${d.name}`} onSubmit={submit} noValidate>
      <h2>
        Replay <SafeText value={d.name} />
      </h2>
      <p className="muted">Deliver again from a seq, or from the first entry received at or after a time.</p>
      {errors ? <FormRefusal errors={errors} labels={labels} /> : null}
      <div className="destination-field">
        <label htmlFor="replay-fromSeq">From seq</label>
        <input
          id="replay-fromSeq"
          type="text"
          inputMode="numeric"
          value={fromSeq}
          onChange={(e) => setFromSeq(e.target.value)}
          {...invalid('fromSeq')}
        />
        {err('fromSeq')}
      </div>
      <div className="destination-field">
        <label htmlFor="replay-fromTime">From time</label>
        <input
          id="replay-fromTime"
          type="datetime-local"
          step={1}
          value={fromTime}
          onChange={(e) => setFromTime(e.target.value)}
          {...invalid('fromTime')}
        />
        {err('fromTime')}
      </div>
      <div className="destination-form-actions">
        <button type="submit" className="primary">
          Replay
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/** New signing keys for a webhook; the old ones keep signing for the overlap chosen. */
export function RotatePanel({
  d,
  onRotated,
  onCancel,
}: {
  d: Destination;
  onRotated: (result: DestinationAndSecret) => void;
  onCancel: () => void;
}) {
  const token = useToken();
  const [overlap, setOverlap] = useState('3600');
  const [errors, setErrors] = useState<FormErrors | null>(null);
  const labels = { overlapSeconds: 'Overlap' };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setErrors(null);
    const v = overlap.trim();
    try {
      onRotated(
        await api.rotateDestinationSecret(token, d.id, {
          overlapSeconds: (/^\d+$/.test(v) ? Number(v) : v) as number,
        }),
      );
    } catch (error) {
      setErrors(formErrors(error, Object.keys(labels)));
    }
  };
  const message = errors?.fields.overlapSeconds;
  return (
    <form
      className="destination-panel"
      aria-label={`Rotate the secret of ${d.name}`}
      onSubmit={submit}
      noValidate
    >
      <h2>
        Rotate the signing secret of <SafeText value={d.name} />
      </h2>
      <p className="muted">
        A new secret and public key replace the current ones (fingerprint{' '}
        <span className="mono">{d.secretFingerprint}</span>). During the overlap the old keys sign each
        delivery too, so the receiver keeps verifying until it has the new secret.
      </p>
      {errors ? <FormRefusal errors={errors} labels={labels} /> : null}
      <div className="destination-field">
        <label htmlFor="rotate-overlap">Overlap (seconds, 0–86400)</label>
        <input
          id="rotate-overlap"
          type="text"
          inputMode="numeric"
          value={overlap}
          onChange={(e) => setOverlap(e.target.value)}
          {...(message ? { 'aria-invalid': true, 'aria-describedby': 'rotate-overlap-error' } : {})}
        />
        {message ? (
          <p className="field-error" id="rotate-overlap-error">
            Overlap {message.join('; ')}
          </p>
        ) : null}
      </div>
      <div className="destination-form-actions">
        <button type="submit" className="primary">
          Rotate secret
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/** Deleting stops delivery for good: asked once more, in the page (no browser dialog). */
export function DeletePanel({
  d,
  onDone,
  onCancel,
}: {
  d: Destination;
  onDone: (message: string) => void;
  onCancel: () => void;
}) {
  const token = useToken();
  const [error, setError] = useState<FormErrors | null>(null);
  const confirm = async () => {
    try {
      await api.deleteDestination(token, d.id);
      onDone(`Deleted “${d.name}”.`);
    } catch (e) {
      setError(formErrors(e, []));
    }
  };
  return (
    <section className="destination-panel" aria-label={`Delete ${d.name}`}>
      <h2>
        Delete <SafeText value={d.name} />?
      </h2>
      <p>Delivery to it stops and its position in the log is forgotten. This cannot be undone.</p>
      {error ? <FormRefusal errors={error} labels={{}} /> : null}
      <div className="destination-form-actions">
        <button type="button" className="danger" onClick={confirm}>
          Delete destination
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </section>
  );
}

/**
 * A webhook's new signing secret, this once. It is never put in the page (not even a hidden field): it stays
 * in memory, is copied to the clipboard on request, and is forgotten when the panel closes. The public key
 * is not secret and is shown.
 */
export function SecretOnce({ result, onClose }: { result: DestinationAndSecret; onClose: () => void }) {
  const [copied, setCopied] = useState<string | null>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(result.secret ?? '');
      setCopied('Copied to the clipboard.');
    } catch {
      setCopied(
        'The browser did not allow copying (it needs HTTPS): rotate the secret with the API or the CLI instead.',
      );
    }
  };
  return (
    <section className="destination-panel secret-once" aria-label="New signing secret">
      <h2>
        Signing secret of <SafeText value={result.destination.name} />
      </h2>
      <p>
        Give it to the receiver now: it can be copied only this once, and is never shown (its fingerprint is{' '}
        <span className="mono">{result.destination.secretFingerprint}</span>).
      </p>
      <div className="destination-field">
        <span>Signing secret</span>
        <span className="mono">
          whsec_•••••••• <span className="visually-hidden">(hidden)</span>
        </span>
        <button type="button" onClick={copy}>
          Copy secret
        </button>
        {copied ? <span role="status">{copied}</span> : null}
      </div>
      <p className="small">
        Public key (verifies <code>v1a</code> signatures, not secret):{' '}
        <span className="mono destination-public-key">{result.destination.publicKey}</span>
      </p>
      <button type="button" className="primary" onClick={onClose}>
        Done
      </button>
    </section>
  );
}
