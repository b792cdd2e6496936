/**
 * `Carrier` + `update` → `carrier.update`: the type of an event that names none. Its own module because the
 * SDK compiles it too (packages/sdk/src/rules/check-event.ts) to refuse such an event as the service would.
 */
export function defaultEventType(targetType: string, action: string): string {
  const base = targetType
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '_')
    .replace(/^_+|_+$/g, '');
  return `${base || 'entity'}.${action}`;
}
