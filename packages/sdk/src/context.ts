import { AsyncLocalStorage } from 'node:async_hooks';
import type { Actor } from './types.js';

/** Who is acting and from where: filled in by the middleware, read by `record()`. */
export interface RequestContext {
  actor?: Actor;
  ip?: string;
  userAgent?: string;
  sessionId?: string;
  /** The request or correlation id, sent as the event's `requestId`. */
  requestId?: string;
}

const storage = new AsyncLocalStorage<RequestContext>();

/** The context of the request or job this code runs for, if any. */
export function currentContext(): RequestContext | undefined {
  return storage.getStore();
}

/**
 * Runs `fn` with `context` as the current context (a job, a script, a queue consumer): every `record()` inside,
 * however deep and across awaits, is attributed to it.
 */
export function runAs<T>(context: RequestContext, fn: () => T): T {
  return storage.run({ ...context }, fn);
}

/** Runs `fn` in this very context object (so that later updates reach everyone sharing it). */
export function enterContext<T>(context: RequestContext, fn: () => T): T {
  return storage.run(context, fn);
}

/**
 * Adds to the current context, e.g. the actor once an authentication step has identified them, or the new
 * session id after a sign-in. Visible to everything still to run for this request. False outside a context.
 */
export function updateContext(partial: RequestContext): boolean {
  const store = storage.getStore();
  if (store === undefined) return false;
  Object.assign(store, partial);
  return true;
}
