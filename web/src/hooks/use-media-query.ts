import { useSyncExternalStore } from 'react';

/** Whether a CSS media query matches now; re-renders when it changes (window resized). */
export function useMediaQuery(query: string): boolean {
  return useSyncExternalStore(
    (listener) => {
      const m = window.matchMedia(query);
      m.addEventListener('change', listener);
      return () => m.removeEventListener('change', listener);
    },
    () => window.matchMedia(query).matches,
  );
}
