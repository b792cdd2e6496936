/**
 * Checks an event's proof file (GET /v1/integrity/merkle/proofs/events/{id}) in the browser with WebCrypto:
 * the entry's chain hash from its stored bytes, the RFC 9162 leaf, the root from the inclusion proof
 * (§2.1.3.2), and the Ed25519 signature of the C2SP checkpoint note by the log's verifier key. The server's
 * word is not taken for any of it; only the key comes from the server, and is shown so it can be compared.
 */
export interface ProofFile {
  entry: {
    tenant: string;
    seq: number;
    stream: string;
    receivedAt: string;
    prevHash: string;
    body: string;
    hash: string;
  };
  leafIndex: number;
  treeSize: number;
  inclusionProof: string[];
  checkpoint: string;
}

export type Verdict = { ok: true; treeSize: number; keyId: string } | { ok: false; reason: string };

const text = new TextEncoder();
const sha256 = async (...parts: Uint8Array[]) => {
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.length;
  }
  return new Uint8Array(await crypto.subtle.digest('SHA-256', all));
};
const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
const fromHex = (h: string) => new Uint8Array((h.match(/../g) ?? []).map((x) => Number.parseInt(x, 16)));
const fromBase64 = (s: string) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
const same = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

export async function verifyInclusionInBrowser(proof: ProofFile, verifierKey: string): Promise<Verdict> {
  const e = proof.entry;
  const digest = hex(await sha256(text.encode(`${e.stream}\n${e.receivedAt}\n${e.body}`)));
  const hash = hex(await sha256(text.encode(`auditlog.v1\n${e.tenant}\n${e.seq}\n${e.prevHash}\n${digest}`)));
  if (hash !== e.hash) return { ok: false, reason: `the event does not match its hash (entry ${e.seq})` };
  // The note: origin, size, base64 root; a blank line; "— <name> <base64(key id ‖ signature)>".
  const [body, sigs] = proof.checkpoint.split('\n\n');
  const [origin, size, root] = (body ?? '').split('\n');
  // `<name>+<key id>+<base64 key>`: the name has no '+', the base64 key may (one key in two).
  const [, name, keyIdHex, keyB64] = /^([^+]*)\+([^+]*)\+(.*)$/.exec(verifierKey) ?? [];
  if (!origin || !root || Number(size) !== proof.treeSize || name !== origin)
    return { ok: false, reason: 'the checkpoint does not match the proof' };
  let r = await sha256(new Uint8Array([0]), fromHex(hash));
  let fn = proof.leafIndex;
  let sn = proof.treeSize - 1;
  if (fn !== e.seq - 1 || fn > sn) return { ok: false, reason: 'the proof is not for this entry' };
  for (const p of proof.inclusionProof.map(fromHex)) {
    if (sn === 0) return { ok: false, reason: 'the inclusion proof is too long' };
    if (fn % 2 === 1 || fn === sn) {
      r = await sha256(new Uint8Array([1]), p, r);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else r = await sha256(new Uint8Array([1]), r, p);
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  if (sn !== 0 || !same(r, fromBase64(root)))
    return { ok: false, reason: `the event is not in the signed tree of size ${proof.treeSize}` };
  const line = (sigs ?? '').split('\n').find((l) => l.startsWith(`\u2014 ${origin} `));
  const raw = keyB64 ? fromBase64(keyB64) : new Uint8Array();
  if (!line || raw.length !== 33)
    return { ok: false, reason: 'the checkpoint carries no signature by the log key' };
  const sig = fromBase64(line.split(' ')[2] ?? '');
  if (hex(sig.subarray(0, 4)) !== keyIdHex)
    return { ok: false, reason: 'the checkpoint is signed by another key' };
  try {
    const key = await crypto.subtle.importKey('raw', raw.subarray(1), { name: 'Ed25519' }, false, ['verify']);
    const valid = await crypto.subtle.verify(
      { name: 'Ed25519' },
      key,
      sig.subarray(4),
      text.encode(`${body}\n`),
    );
    if (!valid) return { ok: false, reason: 'the checkpoint signature is not valid' };
  } catch {
    return { ok: false, reason: 'this browser cannot check Ed25519 signatures' };
  }
  return { ok: true, treeSize: proof.treeSize, keyId: `${name}+${keyIdHex}` };
}
