/**
 * The seed's eight categories and the actions each one tracks, as data. The server validates `category`
 * against the catalog's keys; the UI shows the labels; `auditlog demo` generates events from the event
 * types listed here. A deployment may pass its own catalog to `openAuditLog`.
 */

export interface TrackedAction {
  /** Dotted lowercase event type, e.g. `user.role_changed`. */
  eventType: string;
  label: string;
  /** The seed's action type that this event usually carries. */
  action: 'create' | 'update' | 'delete';
  /** The target type the event usually concerns, e.g. `User`, `Carrier`. */
  targetType: string;
}

export interface CategoryEntry {
  key: string;
  label: string;
  description: string;
  actions: TrackedAction[];
}

export type Catalog = readonly CategoryEntry[];

const a = (
  eventType: string,
  label: string,
  action: TrackedAction['action'],
  targetType: string,
): TrackedAction => ({
  eventType,
  label,
  action,
  targetType,
});

export const DEFAULT_CATALOG: Catalog = [
  {
    key: 'users',
    label: 'Users',
    description: 'Create, edit, delete, role changes, 2FA resets, bulk provisioning',
    actions: [
      a('user.created', 'User created', 'create', 'User'),
      a('user.updated', 'User edited', 'update', 'User'),
      a('user.deleted', 'User deleted', 'delete', 'User'),
      a('user.role_changed', 'Role changed', 'update', 'User'),
      a('user.2fa_reset', '2FA reset', 'update', 'User'),
      a('user.bulk_provisioned', 'Bulk provisioning', 'create', 'UserImport'),
    ],
  },
  {
    key: 'campaigns',
    label: 'Campaigns',
    description: 'Configuration changes, activation, deactivation, pacing adjustments',
    actions: [
      a('campaign.created', 'Campaign created', 'create', 'Campaign'),
      a('campaign.updated', 'Configuration changed', 'update', 'Campaign'),
      a('campaign.activated', 'Campaign activated', 'update', 'Campaign'),
      a('campaign.deactivated', 'Campaign deactivated', 'update', 'Campaign'),
      a('campaign.pacing_adjusted', 'Pacing adjusted', 'update', 'Campaign'),
      a('campaign.deleted', 'Campaign deleted', 'delete', 'Campaign'),
    ],
  },
  {
    key: 'settings',
    label: 'Settings',
    description: 'System settings modifications (branding, email, storage, security)',
    actions: [
      a('settings.branding_updated', 'Branding changed', 'update', 'Setting'),
      a('settings.email_updated', 'Email settings changed', 'update', 'Setting'),
      a('settings.storage_updated', 'Storage settings changed', 'update', 'Setting'),
      a('settings.security_updated', 'Security settings changed', 'update', 'Setting'),
    ],
  },
  {
    key: 'telephony',
    label: 'Telephony',
    description: 'Carrier, DID, phone extension, and trunk group changes',
    actions: [
      a('carrier.created', 'Carrier created', 'create', 'Carrier'),
      a('carrier.updated', 'Carrier changed', 'update', 'Carrier'),
      a('carrier.deleted', 'Carrier deleted', 'delete', 'Carrier'),
      a('did.created', 'DID added', 'create', 'DID'),
      a('did.updated', 'DID changed', 'update', 'DID'),
      a('did.deleted', 'DID removed', 'delete', 'DID'),
      a('extension.updated', 'Phone extension changed', 'update', 'Extension'),
      a('trunk_group.updated', 'Trunk group changed', 'update', 'TrunkGroup'),
    ],
  },
  {
    key: 'ai',
    label: 'AI',
    description: 'Provider settings changes, model selection, API key updates',
    actions: [
      a('ai.provider_updated', 'Provider settings changed', 'update', 'AIProvider'),
      a('ai.model_selected', 'Model selected', 'update', 'AIProvider'),
      a('ai.api_key_updated', 'API key updated', 'update', 'AIProvider'),
    ],
  },
  {
    key: 'security',
    label: 'Security',
    description: '2FA resets, password changes, session revocations, policy changes',
    actions: [
      a('security.2fa_reset', '2FA reset', 'update', 'User'),
      a('security.password_changed', 'Password changed', 'update', 'User'),
      a('security.session_revoked', 'Session revoked', 'delete', 'Session'),
      a('security.policy_changed', 'Policy changed', 'update', 'SecurityPolicy'),
      a('auditlog.token_created', 'API token created', 'create', 'Token'),
      a('auditlog.token_revoked', 'API token revoked', 'delete', 'Token'),
      a('auditlog.viewer_token_created', 'Viewer token created', 'create', 'Token'),
      a('auditlog.export', 'Audit log exported', 'create', 'Export'),
    ],
  },
  {
    key: 'bulk',
    label: 'Bulk Operations',
    description: 'Mass lead updates, imports, deduplication merges',
    actions: [
      a('bulk.leads_updated', 'Mass lead update', 'update', 'LeadList'),
      a('bulk.leads_imported', 'Lead import', 'create', 'LeadImport'),
      a('bulk.leads_merged', 'Deduplication merge', 'update', 'LeadList'),
    ],
  },
  {
    key: 'inbound',
    label: 'Inbound',
    description: 'Queue configuration, IVR menu edits, music-on-hold changes',
    actions: [
      a('queue.updated', 'Queue configuration changed', 'update', 'Queue'),
      a('ivr.menu_updated', 'IVR menu edited', 'update', 'IVR'),
      a('moh.updated', 'Music on hold changed', 'update', 'MusicOnHold'),
    ],
  },
];

export function categoryKeys(catalog: Catalog): string[] {
  return catalog.map((c) => c.key);
}

export function categoryLabel(catalog: Catalog, key: string): string | undefined {
  return catalog.find((c) => c.key === key)?.label;
}
