import type { AlertPage, FailedAttempt } from '../domain/attack-detection.js';
import type { FailureGroup } from '../domain/rows.js';
import type { Alert } from '../domain/schemas/auth-event-schema.js';
import type { SessionRow } from '../domain/session-merge.js';
import { openSealedText, openSealedUser, sealedKid } from '../domain/shred-auth-event.js';
import { ERASED_TEXT } from '../domain/shred-event.js';
import { fold } from '../domain/text-fold.js';
import type { PersonalData } from './personal-data.js';

/**
 * The derived reads of the authentication log opened for display when it is encrypted
 * (docs/lifecycle.md#the-authentication-log): sessions, failure groups and alerts carry envelopes (as JSON
 * text) where they would carry a username or an address, and blind indexes where they group.
 */
export class AuthReveal {
  readonly #personal: PersonalData;

  constructor(personal: PersonalData) {
    this.#personal = personal;
  }

  async #keys(tenant: string, texts: Iterable<string | null | undefined>) {
    const kids: string[] = [];
    for (const t of texts) {
      const kid = sealedKid(t);
      if (kid !== undefined) kids.push(kid);
    }
    return this.#personal.keys(tenant, kids);
  }

  async sessions(tenant: string, rows: SessionRow[]): Promise<SessionRow[]> {
    if (!this.#personal.enabled) return rows;
    const keys = await this.#keys(
      tenant,
      rows.flatMap((r) => [r.username, r.ip, r.userAgent]),
    );
    return rows.map((r) => {
      if (sealedKid(r.username) === undefined) return r;
      const user = openSealedUser(r.username!, keys);
      const text = (t: string | null) => (t === null ? null : String(openSealedText(t, keys).value));
      return {
        ...r,
        userId: user.id ?? null,
        username: user.username,
        displayName: user.displayName ?? null,
        ip: text(r.ip),
        userAgent: text(r.userAgent),
      };
    });
  }

  async failureGroups(tenant: string, groups: FailureGroup[], by: 'user' | 'ip'): Promise<FailureGroup[]> {
    if (!this.#personal.enabled || !groups.some((g) => sealedKid(g.key) !== undefined)) return groups;
    const keys = await this.#keys(
      tenant,
      groups.flatMap((g) => [g.key, g.altKey]),
    );
    const open = (key: string) =>
      by === 'user' ? foldedUser(key, keys) : String(openSealedText(key, keys).value);
    const show = (g: FailureGroup) => {
      const first = open(g.key);
      return first === ERASED_TEXT && g.altKey ? open(g.altKey) : first;
    };
    return groups
      .map((g) => ({ ...g, key: show(g) }))
      .sort((x, y) => y.count - x.count || (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
  }

  /**
   * Attempts with their blind username and IP replaced by clear values (for buckets): one per blind value,
   * the first seen, so that buckets group as the failure groups do (by folded username).
   */
  async failures(tenant: string, list: FailedAttempt[]): Promise<FailedAttempt[]> {
    if (!this.#personal.enabled || !list.some((f) => f.sealedUser || f.sealedIp)) return list;
    const keys = await this.#keys(
      tenant,
      list.flatMap((f) => [f.sealedUser, f.sealedIp]),
    );
    const shown = new Map<string, string>();
    const show = (blind: string, sealed: string, open: (s: string) => string) => {
      let v = shown.get(blind);
      if (v === undefined) {
        v = open(sealed);
        shown.set(blind, v);
      }
      return v;
    };
    const user = (s: string) => foldedUser(s, keys);
    const ip = (s: string) => String(openSealedText(s, keys).value);
    return list.map((f) => ({
      occurredMs: f.occurredMs,
      username: f.sealedUser ? show(f.username, f.sealedUser, user) : f.username,
      ip: f.sealedIp ? show(f.ip, f.sealedIp, ip) : f.ip,
    }));
  }

  async alerts(tenant: string, page: AlertPage): Promise<Alert[]> {
    const sealed = page.sealed;
    if (!sealed) return page.alerts;
    const keys = await this.#keys(tenant, Object.values(sealed).flat());
    // The first sample that still opens (one IP may be shared by an erased subject and others).
    const first = (v: string, open: (s: string) => string) => {
      const shown = (sealed[v] ?? []).map(open);
      return shown.find((s) => s !== ERASED_TEXT) ?? shown[0] ?? v;
    };
    const user = (v: string) => first(v, (s) => foldedUser(s, keys));
    const ip = (v: string) => first(v, (s) => String(openSealedText(s, keys).value));
    return page.alerts.map((a) => {
      const brute = a.kind === 'brute_force';
      const subject = brute ? user(a.subject) : ip(a.subject);
      const query = new URLSearchParams(a.attemptsQuery);
      query.set(brute ? 'user' : 'ip', subject);
      return {
        ...a,
        subject,
        ...(a.ips ? { ips: a.ips.map(ip) } : {}),
        ...(a.usernames ? { usernames: a.usernames.map(user) } : {}),
        attemptsQuery: query.toString(),
      };
    });
  }
}

/**
 * A sealed username opened and folded: failures group by the folded username (auth-query-plan.ts), so a
 * group, a bucket and an alert show it as clear rows do, whichever spelling was opened.
 */
function foldedUser(sealed: string, keys: Parameters<typeof openSealedUser>[1]): string {
  const name = openSealedUser(sealed, keys).username;
  return name === ERASED_TEXT ? name : fold(name);
}
