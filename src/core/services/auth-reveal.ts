import type { AlertPage, FailedAttempt } from '../domain/attack-detection.js';
import type { FailureGroup } from '../domain/rows.js';
import type { Alert } from '../domain/schemas/auth-event-schema.js';
import type { SessionRow } from '../domain/session-merge.js';
import { openSealedText, openSealedUser, sealedKid } from '../domain/shred-auth-event.js';
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
      groups.map((g) => g.key),
    );
    const show = (key: string) =>
      by === 'user' ? openSealedUser(key, keys).username : String(openSealedText(key, keys).value);
    return groups
      .map((g) => ({ ...g, key: show(g.key) }))
      .sort((x, y) => y.count - x.count || (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
  }

  /** Attempts with their blind username and IP replaced by the clear values (for buckets). */
  async failures(tenant: string, list: FailedAttempt[]): Promise<FailedAttempt[]> {
    if (!this.#personal.enabled || !list.some((f) => f.sealedUser || f.sealedIp)) return list;
    const keys = await this.#keys(
      tenant,
      list.flatMap((f) => [f.sealedUser, f.sealedIp]),
    );
    return list.map((f) => ({
      occurredMs: f.occurredMs,
      username: f.sealedUser ? openSealedUser(f.sealedUser, keys).username : f.username,
      ip: f.sealedIp ? String(openSealedText(f.sealedIp, keys).value) : f.ip,
    }));
  }

  async alerts(tenant: string, page: AlertPage): Promise<Alert[]> {
    const sealed = page.sealed;
    if (!sealed) return page.alerts;
    const keys = await this.#keys(tenant, Object.values(sealed));
    const user = (v: string) => (sealed[v] ? openSealedUser(sealed[v], keys).username : v);
    const ip = (v: string) => (sealed[v] ? String(openSealedText(sealed[v], keys).value) : v);
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
