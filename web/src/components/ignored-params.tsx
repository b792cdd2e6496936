/**
 * Names what the page's URL holds that it does not read (ignoredInSearch), above the results: a misspelt
 * link would otherwise show a wider query than it meant, without a word.
 */
export function IgnoredParams({ names, results = 'events' }: { names: string[]; results?: string }) {
  if (names.length === 0) return null;
  return (
    <p role="alert" className="field-error ignored-params">
      Not a filter of this page, ignored: {names.join(', ')}. The {results} below are not narrowed by it.
    </p>
  );
}
