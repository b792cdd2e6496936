import { AuditError } from './errors.js';
import { inspectJson } from './inspect-json.js';
import { LIMITS } from './schemas/event-schema.js';

/**
 * An administrative body (a legal hold, a retention policy, a destination) MUST hold only values an audit
 * event can hold — no NUL, no lone surrogate, no inexact number — since its change is recorded as one: a 400
 * naming the caller's own field (`/name`, `/reason`), checked before anything is stored. Found later, in the
 * audit event, it named paths the caller never sent (`/newValue/reason`), and the change was already made.
 */
export function assertStorableBody(body: unknown, message: string): void {
  const walk = inspectJson(body, '', { maxDepth: 32, maxBytes: LIMITS.eventBytes });
  if (walk.tooDeep)
    throw new AuditError('invalid_request', message, [{ path: '', message: 'is nested too deeply' }]);
  if (walk.tooLarge)
    throw new AuditError('payload_too_large', message, [
      { path: '', message: `must be at most ${LIMITS.eventBytes} bytes as JSON` },
    ]);
  const [first] = walk.problems;
  if (first)
    throw new AuditError(
      'invalid_request',
      `${message}: ${first.path} ${first.message}`,
      walk.problems.slice(0, 50),
    );
}
