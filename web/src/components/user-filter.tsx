import { useEffect, useId, useState } from 'react';
import { api } from '../api/endpoints.ts';
import type { ActorSuggestion } from '../api/types.ts';
import { useToken } from '../auth/session-context.tsx';
import { TextFilter } from './text-filter.tsx';

/**
 * The user filter: an id or username, with suggestions from the data (GET /v1/actors). Several users may
 * be given separated by commas; any of them matches.
 */
export function UserFilter({ users, onChange }: { users: string[]; onChange: (users: string[]) => void }) {
  const token = useToken();
  const listId = useId();
  const [prefix, setPrefix] = useState('');
  // Suggestions are fetched once the field is used, not on every page load.
  const [used, setUsed] = useState(false);
  const [suggestions, setSuggestions] = useState<ActorSuggestion[]>([]);

  useEffect(() => {
    if (!used) return;
    const controller = new AbortController();
    const last = prefix.split(',').pop()?.trim() ?? '';
    const timer = window.setTimeout(() => {
      api.actors(token, last, { signal: controller.signal }).then(
        (r) => setSuggestions(r.actors),
        () => setSuggestions([]),
      );
    }, 150);
    return () => {
      window.clearTimeout(timer);
      controller.abort();
    };
  }, [prefix, token, used]);

  return (
    <>
      <TextFilter
        name="user"
        label="User"
        placeholder="username or id"
        value={users.join(', ')}
        list={listId}
        onInput={setPrefix}
        onFocus={() => setUsed(true)}
        onCommit={(v) =>
          onChange(
            v
              ? [
                  ...new Set(
                    v
                      .split(',')
                      .map((u) => u.trim())
                      .filter(Boolean),
                  ),
                ]
              : [],
          )
        }
      />
      <datalist id={listId}>
        {suggestions.map((a) => (
          <option key={a.id} value={a.username ?? a.id}>
            {a.displayName ? `${a.displayName} (${a.username ?? a.id})` : (a.username ?? a.id)}
          </option>
        ))}
      </datalist>
    </>
  );
}
