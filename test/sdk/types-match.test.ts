// The SDK stands alone (no schema library at run time), so its event types are written out. This file keeps
// them equal to the server's TypeBox schemas: a drift fails `tsc` (npm run lint) and these tests.
import { describe, expect, expectTypeOf, it } from 'vitest';
import * as sdk from '../../packages/sdk/src/index.js';
import { DEFAULT_CATALOG } from '../../src/core/domain/catalog.js';
import {
  AUTH_TYPES,
  type AuthEventInput,
  FAILURE_REASONS,
  LOGIN_METHODS,
} from '../../src/core/domain/schemas/auth-event-schema.js';
import { ACTIONS, type EventInput } from '../../src/core/domain/schemas/event-schema.js';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const same = <A, B>(proof: Equal<A, B>) => proof;

describe('the SDK types match the server schemas', () => {
  it('an administrative event is the same type on both sides', () => {
    same<sdk.AuditEventInput['actor'], EventInput['actor']>(true);
    same<sdk.AuditEventInput['target'], EventInput['target']>(true);
    same<Required<sdk.AuditEventInput>, Required<EventInput>>(true);
    expectTypeOf<sdk.AuditEventInput>().toEqualTypeOf<EventInput>();
  });

  it('an authentication event is the same type on both sides', () => {
    same<Required<sdk.AuthEventInput>, Required<AuthEventInput>>(true);
    expectTypeOf<sdk.AuthEventInput>().toEqualTypeOf<AuthEventInput>();
  });

  it('the enumerations are the same', () => {
    expect([...sdk.ACTIONS]).toEqual([...ACTIONS]);
    expect([...sdk.AUTH_TYPES]).toEqual([...AUTH_TYPES]);
    expect([...sdk.LOGIN_METHODS]).toEqual([...LOGIN_METHODS]);
    expect([...sdk.FAILURE_REASONS]).toEqual([...FAILURE_REASONS]);
  });

  it("the categories and event types are the default catalog's (less the log's own)", () => {
    expect([...sdk.CATEGORIES]).toEqual(DEFAULT_CATALOG.map((c) => c.key));
    const catalog = Object.fromEntries(
      DEFAULT_CATALOG.map((c) => [
        c.key,
        c.actions.map((a) => a.eventType).filter((t) => !t.startsWith('auditlog.')),
      ]),
    );
    expect(sdk.EVENT_TYPES).toEqual(catalog);
  });
});
