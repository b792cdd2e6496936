export type { ErrorDetail } from '../../../src/core/domain/errors.js';
export type { AuthLogHelpers } from './auth-log.js';
export { backoffDelay, retryAfterMs } from './backoff.js';
export { AuditClient, type AuditClientOptions, type RetryInfo } from './client.js';
export { type ClientIpResolver, clientIpResolver, type TrustProxy } from './client-ip.js';
export { currentContext, type RequestContext, runAs, updateContext } from './context.js';
export type { DeadLetter } from './dead-letters.js';
export {
  type ContextOptions,
  contextBuilder,
  expressAuditContext,
  fastifyAuditContext,
} from './middleware.js';
export { type AuthRecordInput, EventTooLargeError, InvalidEventError } from './prepare.js';
export { SpoolFullError } from './spool.js';
export { SpoolLockedError } from './spool-lock.js';
export * from './types.js';
