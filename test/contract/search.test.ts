// Keyword search `q` (API.md, GET /v1/events): case-insensitive literal substring over the listed fields, all words must
// match (each possibly in another field), "quoted phrases", any character literal, Unicode case folding, short terms.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp-dir.js';
import { type InputEvent, type Posted, qMatches } from './helpers/model.js';
import { fetchAllPages, type RunningServer, startServer } from './helpers/server.js';

const dir = tempDir('auditlog-contract-search-');
let server: RunningServer;
const posted = new Map<string, Posted & { label: string }>(); // by id

/** A bland event: nothing in it matches the search terms below unless an override puts it there. */
function ev(label: string, o: Partial<InputEvent> = {}): [string, InputEvent] {
  return [
    label,
    {
      occurredAt: new Date(Date.parse('2024-05-01T00:00:00Z') + posted.size * 1000).toISOString(),
      actor: { id: 'zz-base' },
      action: 'update',
      eventType: 'widget.changed',
      category: 'settings',
      target: { type: 'Widget', id: 'wz' },
      ...o,
    },
  ];
}

const EVENTS: [string, InputEvent][] = [
  ev('jose', { actor: { id: 'u-77', username: 'jose.alvarez', displayName: 'José Álvarez' } }),
  ev('muller', { actor: { id: 'u-78', displayName: 'Jürgen Müller' } }),
  ev('cyrillic', { actor: { id: 'u-79', displayName: 'Иван Петров' } }),
  ev('greek', { target: { type: 'Widget', id: 'wz', name: 'Αθηνά' } }),
  ev('orsted', { reason: 'Ørsted wind farm' }),
  ev('pct', { newValue: { discount: '100% off' } }),
  ev('thousand', { newValue: { discount: '1000 off' } }),
  ev('underscore', { newValue: { flag: 'a_b' } }),
  ev('axb', { newValue: { flag: 'axb' } }),
  ev('apostrophe', { reason: "O'Brien's account" }),
  ev('dquote', { newValue: { screen: '27" monitor' } }),
  ev('star', { newValue: { pattern: 'trunk*' } }),
  ev('trunkline', { target: { type: 'Widget', id: 'trunkline' } }),
  ev('paren', { reason: 'call (external)' }),
  ev('near', { newValue: { location: 'alpha NEAR beta' } }),
  ev('nearby', { reason: 'nearby office' }),
  ev('alphabeta', { newValue: { x: 'alpha', y: 'beta' } }),
  ev('fooonly', { reason: 'foo only' }),
  ev('baronly', { reason: 'bar only' }),
  ev('foobaror', { reason: 'foo bar orchestra' }),
  ev('dash', { target: { type: 'Carrier', id: 'trunk-provider-1' }, category: 'telephony' }),
  ev('provider', { target: { type: 'Widget', id: 'provider' } }),
  ev('tp1', { target: { type: 'Widget', id: 'wz', name: 'trunk provider east' } }),
  ev('tp2', { reason: 'provider trunk swap' }),
  ev('backslash', { newValue: { path: 'C:\\temp\\new' } }),
  ev('slash', { newValue: { path: 'C:/temp/new' } }),
  ev('colon', { newValue: { note: 'status:active' } }),
  ev('cpp', { newValue: { lang: 'c++' } }),
  ev('caret', { newValue: { rx: '^start' } }),
  ev('donot', { reason: 'do NOT call' }),
  ev('rocket', { reason: 'launch 🚀 today' }),
  ev('xy', { newValue: { code: 'xy' } }),
  ev('deep', {
    oldValue: { pacing: { ratio: 2, dialMode: 'progressive' } },
    newValue: {
      pacing: { ratio: 2.5, dialMode: 'predictive' },
      options: [
        { digit: 1, action: 'sales' },
        { digit: 2, action: 'voicemail' },
      ],
    },
  }),
  ev('number', { newValue: { maxChannels: 4711 } }),
  ev('meta', { metadata: { ticketRef: 'INC-9001', nested: { deepKey: 'deepvalue' } } }),
  ev('ipv4', { ip: '203.0.113.77' }),
  ev('ipv6', { ip: '2001:db8::abcd' }),
  ev('agent', { userAgent: 'Mozilla/5.0 Quantum' }),
  ev('deleted', { action: 'delete', oldValue: { k: 'v' } }),
  ev('teleph', { category: 'telephony', eventType: 'ivr.menu_edited', target: { type: 'IVR', id: 'wz' } }),
  ev('brace', { reason: 'uses {curly} braces' }),
  ev('percentonly', { newValue: { s: '%' } }),
  ev('bspct', { newValue: { s: 'odd\\%mix' } }),
  ev('deseret', { actor: { id: 'u-80', displayName: '𐐀𐐁𐐂 Deseret' } }),
  ev('alvaro', { target: { type: 'User', id: 'usr-9', name: 'ÁLVARO.Pérez' } }),
];

beforeAll(async () => {
  server = await startServer({ dbFile: dir.file('a.db') });
  const { status, body } = await server.post({ events: EVENTS.map(([, e]) => e) });
  if (status !== 201) throw new Error(`${status} ${JSON.stringify(body)}`);
  EVENTS.forEach(([label, input], i) => {
    const r = body.events[i];
    posted.set(r.id, { label, input, id: r.id, seq: r.seq, at: Date.parse(input.occurredAt as string) });
  });
});

afterAll(async () => {
  await server?.stop();
  dir.remove();
});

async function search(q: string): Promise<string[]> {
  const { events } = await fetchAllPages(server, '/v1/events', new URLSearchParams({ q, limit: '500' }));
  return events.map((e) => posted.get(e.id)?.label ?? `unknown:${e.id}`).sort();
}
const model = (q: string) =>
  [...posted.values()]
    .filter((p) => qMatches(p.input, q))
    .map((p) => p.label)
    .sort();

/** [q, exactly these labels] — the expectation is hand-written from the data above and cross-checked with the model. */
const CASES: [string, string, string[]][] = [
  ['case-insensitive ASCII', 'QUANTUM', ['agent']],
  ['Unicode: josé finds José', 'josé', ['jose']],
  ['Unicode: JOSÉ finds José', 'JOSÉ', ['jose']],
  ['Unicode: álvarez finds Álvarez', 'álvarez', ['jose']],
  ['Unicode: MÜLLER finds Müller', 'MÜLLER', ['muller']],
  ['Unicode: Cyrillic иван finds Иван', 'иван', ['cyrillic']],
  ['Unicode: Greek αθηνά finds Αθηνά', 'αθηνά', ['greek']],
  ['Unicode: ørsted finds Ørsted', 'ørsted', ['orsted']],
  ['literal %: 100% does not match 1000', '100%', ['pct']],
  ['literal % alone', '%', ['bspct', 'pct', 'percentonly']],
  ['backslash followed by %', '\\%', ['bspct']],
  ['Unicode outside the BMP: 𐐨𐐩𐐪 finds 𐐀𐐁𐐂', '𐐨𐐩𐐪', ['deseret']],
  ['extra whitespace around and between words', '  trunk    provider  ', ['dash', 'tp1', 'tp2']],
  ['a quoted phrase and a word', '"trunk provider" east', ['tp1']],
  ['literal _: a_b does not match axb', 'a_b', ['underscore']],
  ["literal ': O'Brien", "o'brien", ['apostrophe']],
  ['literal " inside a word', '27"', ['dquote']],
  ['literal *: trunk* is not a prefix query', 'trunk*', ['star']],
  ['literal (', 'call (external', ['paren']],
  ['literal ( alone', '(', ['paren']],
  ['NEAR is a word, not an operator', 'alpha NEAR beta', ['near']],
  ['NEAR alone is a substring', 'NEAR', ['near', 'nearby']],
  ['OR is a word, not an operator (all words must match)', 'foo OR bar', ['foobaror']],
  ['leading - is not negation', '-provider', ['dash']],
  ['literal backslash', 'C:\\temp', ['backslash']],
  ['backslash-n is two characters, not a newline', '\\new', ['backslash']],
  ['literal colon (no column filter)', 'status:active', ['colon']],
  ['literal +', 'c++', ['cpp']],
  ['literal ^', '^start', ['caret']],
  ['NOT is a word', 'do NOT call', ['donot']],
  ['emoji (one code point, below three characters)', '🚀', ['rocket']],
  ['two-letter term', 'xy', ['xy']],
  ['one-letter term', 'é', ['alvaro', 'jose']],
  ['several words in one field', 'trunk provider', ['dash', 'tp1', 'tp2']],
  ['quoted phrase matches as one string', '"trunk provider"', ['tp1']],
  ['quoted phrase with special characters', '"100% off"', ['pct']],
  ['words matching different fields', 'jose.alvarez settings', ['jose']],
  ['words matching different events only → nothing', 'álvarez müller', []],
  ['old/new value key at depth (case-insensitive)', 'dialmode', ['deep']],
  ['old value at depth', 'progressive', ['deep']],
  ['new value inside an array of objects', 'voicemail', ['deep']],
  ['key inside an array of objects', 'digit', ['deep']],
  ['number value', '4711', ['number']],
  ['metadata key', 'ticketref', ['meta']],
  ['metadata nested key and value', 'deepkey deepvalue', ['meta']],
  ['metadata value', 'inc-9001', ['meta']],
  ['ip prefix', '203.0.113', ['ipv4']],
  ['IPv6 ip, other case', '2001:DB8::ABCD', ['ipv6']],
  ['actor id', 'u-78', ['muller']],
  ['username', 'jose.alv', ['jose']],
  ['action', 'delete', ['deleted']],
  ['category', 'TELEPH', ['dash', 'teleph']],
  ['event type', 'menu_ed', ['teleph']],
  ['target type', 'carr', ['dash']],
  ['target id', 'trunkline', ['trunkline']],
  ['reason', 'orchestra', ['foobaror']],
  ['JSON syntax is not text: {', '{', ['brace']],
  ['JSON syntax is not text: },{', '},{', []],
];

describe('GET /v1/events?q=', () => {
  it('the test data is what the cases assume (model cross-check)', () => {
    const wrong = CASES.filter(
      ([, q, want]) => JSON.stringify(model(q)) !== JSON.stringify([...want].sort()),
    ).map(([name, q]) => `${name} (${q}): model says ${JSON.stringify(model(q))}`);
    expect(wrong).toEqual([]);
  });

  for (const [name, q, want] of CASES) {
    it(`${name}: q=${JSON.stringify(q)}`, async () => {
      expect(await search(q)).toEqual([...want].sort());
    });
  }

  it('literal _ alone matches only events that contain an underscore', async () => {
    const expected = model('_');
    expect(expected).toContain('underscore');
    expect(expected).not.toContain('axb');
    expect(await search('_')).toEqual(expected);
  });

  it('a single quote alone and a lone double quote do not break the query', async () => {
    for (const q of ["'", "''", '"', '"""']) {
      const { status } = await server.getJson(`/v1/events?${new URLSearchParams({ q })}`);
      expect(status, q).toBe(200);
    }
    expect(await search("'")).toEqual(model("'"));
  });

  it('target filter is case-insensitive for non-ASCII letters too', async () => {
    const { events } = await fetchAllPages(
      server,
      '/v1/events',
      new URLSearchParams({ target: 'álvaro.pérez', limit: '500' }),
    );
    expect(events.map((e) => posted.get(e.id)?.label)).toEqual(['alvaro']);
  });

  it('q combines with other filters', async () => {
    const { events } = await fetchAllPages(
      server,
      '/v1/events',
      new URLSearchParams({ q: 'trunk', category: 'telephony', limit: '500' }),
    );
    expect(events.map((e) => posted.get(e.id)?.label)).toEqual(['dash']);
  });
});
