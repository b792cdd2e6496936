import type { DestinationRecord } from '../domain/destination.js';
import { maskUrlOnlyCredentials } from '../domain/url-secrets.js';
import type { ActingParty } from './access-control.js';
import { securityEvent } from './self-audit.js';

/** The record of a change to a destination (`auditlog.destination_<verb>`), its settings before and after. */
export function destinationEvent(
  d: DestinationRecord,
  verb: string,
  action: 'create' | 'update' | 'delete',
  by: ActingParty,
  oldValue: unknown,
  newValue: unknown,
): Record<string, unknown> {
  const target = { type: 'Destination', id: d.id, name: d.name };
  return securityEvent(by, action, `auditlog.destination_${verb}`, target, {
    oldValue: recordedSettings(oldValue),
    newValue: recordedSettings(newValue),
  });
}

/**
 * Settings as recorded: the URL keeps what the tenant's redaction marks by hash (a changed key shows), but a
 * credential only URLs name as one (`sig`, `code`, `X-Amz-Signature`) is masked, as the redaction would miss it.
 */
function recordedSettings(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || !('url' in value) || typeof value.url !== 'string')
    return value;
  return { ...value, url: maskUrlOnlyCredentials(value.url) };
}
