import type { FormErrors } from '../format/field-errors.ts';
import { SafeText } from './safe-text.tsx';

/** A refusal at the top of a form, and its messages by field (each is also shown next to its field). */
export function FormRefusal({ errors, labels }: { errors: FormErrors; labels: Record<string, string> }) {
  return (
    <div className="state state-error" role="alert">
      <strong>{errors.message}</strong>
      <ul>
        {Object.entries(errors.fields).map(([key, messages]) => (
          <li key={key}>
            {labels[key]} {messages.join('; ')}
          </li>
        ))}
        {errors.other.map((m) => (
          <li key={m}>
            <SafeText value={m} />
          </li>
        ))}
      </ul>
    </div>
  );
}
