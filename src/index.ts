/**
 * The library's public face: open an AuditLog over a Store, and optionally serve it over HTTP.
 *
 *   const log = await openAuditLog({ store: await SqliteStore.open({ file: 'audit.db' }) });
 *   await log.appendEvents('acme', { actor: …, action: 'update', … });
 *   const app = await buildServer({ log, metrics: createMetrics() });
 */

export type { Catalog } from './core/domain/catalog.js';
export { DEFAULT_CATALOG } from './core/domain/catalog.js';
export { AuditError, ERROR_CODES, type ErrorCode, type ErrorDetail } from './core/domain/errors.js';
export type { EventFilter, PageSpec } from './core/domain/filters.js';
export type { RedactionOptions } from './core/domain/redact.js';
export type { StoredEvent } from './core/domain/schemas/event-schema.js';
export type { Scope } from './core/domain/tokens.js';
export type { Store, StoreCapabilities, StoreHealth } from './core/ports/store.js';
export type { TokenRepository } from './core/ports/token-repository.js';
export { AuditLog, type AuditLogOptions, openAuditLog } from './core/services/audit-log.js';
export { createMetrics } from './server/metrics.js';
export { buildServer, type ServerOptions } from './server/server.js';
export { PostgresStore, type PostgresStoreOptions } from './store/postgres/postgres-store.js';
export { SqliteStore, type SqliteStoreOptions } from './store/sqlite/sqlite-store.js';
