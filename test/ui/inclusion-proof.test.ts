/// <reference lib="dom" />
// The event detail checks the event's Merkle inclusion proof in the browser (WebCrypto SHA-256 and Ed25519)
// and says so; when the proof it is served does not hold, it says that verification failed, and why.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeUi, launch, openPage } from './browser.js';
import { startUiServer, type UiServer } from './ui-server.js';

describeUi('Event detail: inclusion proof checked in the browser', () => {
  let server: UiServer;
  let browser: Browser;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startUiServer({ events: 200 }), launch()]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function detail(tamper?: (proof: any) => void) {
    const ui = await openPage(browser, server.url, { token: server.token });
    if (tamper) {
      await ui.page.route('**/v1/integrity/merkle/proofs/events/**', async (route) => {
        const response = await route.fetch();
        const proof = await response.json();
        tamper(proof);
        await route.fulfill({ response, json: proof });
      });
    }
    const { events } = await server.api('/v1/events?limit=5');
    const e = events[2];
    await ui.page.goto(`/audit?event=${e.id}`);
    const proof = ui.page.locator('.detail-panel .field', { hasText: 'Proof' });
    await proof.locator('.proof-ok, .proof-failed').waitFor();
    return { ui, e, text: await proof.textContent() };
  }

  it('shows the size and the key of the signed checkpoint the event is proven in', async () => {
    const { ui, e, text } = await detail();
    const head = await server.api('/v1/integrity/merkle/checkpoint');
    const keyId = head.verifierKey.split('+').slice(0, 2).join('+');
    expect(text).toContain(`Included in the log at size ${head.treeSize.toLocaleString('en-US')}`);
    expect(text).toContain(`checkpoint signed by key ${keyId}`);
    expect(e.seq).toBeLessThanOrEqual(head.treeSize);
    expect(ui.problems).toEqual([]);
    await ui.context.close();
  });

  it('says verification failed for an altered event, a wrong proof hash, or a forged signature', async () => {
    for (const [tamper, reason] of [
      [
        (p: any) => (p.entry.body = p.entry.body.replace('"action":"', '"action":"x')),
        'does not match its hash',
      ],
      [(p: any) => (p.inclusionProof[0] = '00'.repeat(32)), 'is not in the signed tree'],
      [(p: any) => (p.checkpoint = p.checkpoint.replace(/ (\S{8})\S{10}/, ' $1AAAAAAAAAA')), 'signature'],
    ] as const) {
      const { ui, text } = await detail(tamper);
      expect(text).toContain('Verification failed');
      expect(text).toContain(reason);
      await ui.context.close();
    }
  });
});
