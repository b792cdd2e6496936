import { QUERY_KEYS } from '../query-syntax.ts';

/** The query syntax, documented where it is used. */
export function QueryHelp({ id }: { id: string }) {
  return (
    <details className="query-help" id={id}>
      <summary>Query syntax</summary>
      <p>
        Words match any field (user, action, event type, category, target, old and new values, IP, user agent,
        reason, metadata), case-insensitively; every word must match. Put a phrase in quotes:{' '}
        <code>"trunk provider"</code>. These terms set a filter instead (quote values with spaces:{' '}
        <code>user:"Jane Admin"</code>):
      </p>
      <table>
        <thead>
          <tr>
            <th scope="col">Term</th>
            <th scope="col">Filters by</th>
          </tr>
        </thead>
        <tbody>
          {QUERY_KEYS.map((k) => (
            <tr key={k.key}>
              <td>
                <code>{k.example}</code>
              </td>
              <td>{k.description}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p>
        Example:{' '}
        <code>user:jane.admin action:update category:telephony "trunk provider" after:2026-01-01</code>
      </p>
    </details>
  );
}
