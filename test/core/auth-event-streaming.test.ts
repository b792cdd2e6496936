// Every sign-in type the API accepts, as OCSF and as CEF: only login_* are sign-ins (Logon); logout, expiry
// and revocation end a session (Logoff) and never read as a successful sign-in.
import { describe, expect, it } from 'vitest';
import { cefLine, type OutgoingEntry, ocsf } from '../../src/core/domain/destination-payload.js';
import { AUTH_TYPES } from '../../src/core/domain/schemas/auth-event-schema.js';

const auth = (type: string, extra: Record<string, unknown> = {}): OutgoingEntry => ({
  id: 'a-1',
  seq: 8,
  stream: 'auth',
  receivedMs: 0,
  facts: { stream: 'auth', eventType: type },
  event: {
    id: 'a-1',
    seq: 8,
    tenant: 'acme',
    type,
    occurredAt: '2026-12-05T10:00:00.000Z',
    receivedAt: '',
    user: { username: 'kim' },
    ip: '10.0.0.1',
    sessionId: 's10',
    ...extra,
  } as OutgoingEntry['event'],
});

const cefField = (line: string, key: string) => new RegExp(`(?:^|\\|| )${key}=(\\S+)`).exec(line)?.[1];
const cefName = (line: string) => line.split('|')[5];

const expected = {
  login_success: { activity: [1, 'Logon'], status: [1, 'Success'], name: 'Sign-in', outcome: 'success' },
  login_failure: {
    activity: [1, 'Logon'],
    status: [2, 'Failure'],
    name: 'Failed sign-in',
    outcome: 'failure',
  },
  logout: { activity: [2, 'Logoff'], status: [1, 'Success'], name: 'Sign-out', outcome: 'success' },
  session_expired: {
    activity: [2, 'Logoff'],
    status: [1, 'Success'],
    name: 'Session expired',
    outcome: undefined,
  },
  session_revoked: {
    activity: [2, 'Logoff'],
    status: [1, 'Success'],
    name: 'Session revoked',
    outcome: undefined,
  },
} as const;

describe('sign-in types as OCSF and CEF', () => {
  it('covers every type the API accepts', () => {
    expect(Object.keys(expected).sort()).toEqual([...AUTH_TYPES].sort());
  });

  for (const type of AUTH_TYPES) {
    const want = expected[type];
    it(`${type} → OCSF ${want.activity[1]}, ${want.status[1]}`, () => {
      const o = ocsf(auth(type, type === 'login_failure' ? { reason: 'bad_password' } : {}));
      expect(o).toMatchObject({
        class_uid: 3002,
        activity_id: want.activity[0],
        activity_name: want.activity[1],
        type_uid: 300200 + want.activity[0],
        status_id: want.status[0],
        status: want.status[1],
        session: { uid: 's10' },
        unmapped: { type },
      });
    });

    it(`${type} → CEF "${want.name}", outcome ${want.outcome ?? 'none'}, sessionId in cs2`, () => {
      const line = cefLine(auth(type));
      expect(line.split('|')[4]).toBe(type);
      expect(cefName(line)).toBe(want.name);
      expect(cefField(line, 'outcome')).toBe(want.outcome);
      // The same slot as administrative events (cs1 is their targetType).
      expect(line).toContain('cs2Label=sessionId cs2=s10');
      expect(line).not.toContain('cs1');
    });
  }

  it('says how a session ended in status_detail', () => {
    expect(ocsf(auth('session_expired')).status_detail).toBe('session expired');
    expect(ocsf(auth('session_revoked')).status_detail).toBe('session revoked');
    expect(ocsf(auth('logout')).status_detail).toBeUndefined();
    expect(ocsf(auth('login_failure', { reason: 'locked' })).status_detail).toBe('locked');
  });
});
