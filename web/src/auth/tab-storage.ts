/**
 * The tab's sessionStorage, or, where the browser refuses it, a memory store that lives as long as the page.
 * A browser that blocks third-party storage (Safari by default, Chrome's incognito windows, Firefox's strict
 * mode) throws a SecurityError on any use of sessionStorage in an iframe of another site — exactly where a
 * host platform embeds the log. Then the viewer token is kept in memory: it still never reaches a URL or
 * localStorage, and a reload of the frame asks the host platform for a new one.
 */
export interface TabStorage {
  getItem: (key: string) => string | null;
  setItem: (key: string, value: string) => void;
  removeItem: (key: string) => void;
}

let storage: TabStorage | undefined;

export function tabStorage(): TabStorage {
  storage ??= openSessionStorage() ?? memoryStorage();
  return storage;
}

function openSessionStorage(): TabStorage | undefined {
  try {
    const s = window.sessionStorage;
    const probe = 'auditlog.probe';
    s.setItem(probe, '1');
    s.removeItem(probe);
    return s;
  } catch {
    return undefined;
  }
}

function memoryStorage(): TabStorage {
  const items = new Map<string, string>();
  return {
    getItem: (key) => items.get(key) ?? null,
    setItem: (key, value) => {
      items.set(key, value);
    },
    removeItem: (key) => {
      items.delete(key);
    },
  };
}
