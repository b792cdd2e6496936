import { useEffect, useState } from 'react';
import { api } from '../api/endpoints.ts';
import { useToken } from '../auth/session-context.tsx';
import { type Verdict, verifyInclusionInBrowser } from '../integrity/verify-inclusion.ts';
import { SafeText } from './safe-text.tsx';

/** "Included in the log at size N, checkpoint signed by key K", checked here in the browser (WebCrypto). */
export function InclusionCheck({ eventId }: { eventId: string }) {
  const token = useToken();
  const [verdict, setVerdict] = useState<Verdict | 'checking'>('checking');
  useEffect(() => {
    const abort = new AbortController();
    setVerdict('checking');
    Promise.all([
      api.merkleProof(token, eventId, { signal: abort.signal }),
      api.merkleCheckpoint(token, { signal: abort.signal }),
    ])
      .then(([proof, head]) => verifyInclusionInBrowser(proof, head.verifierKey))
      .then((v) => !abort.signal.aborted && setVerdict(v))
      .catch((error: Error) => {
        if (!abort.signal.aborted)
          setVerdict({ ok: false, reason: `the proof could not be read (${error.message})` });
      });
    return () => abort.abort();
  }, [eventId, token]);
  if (verdict === 'checking') return <span className="muted">Checking the proof…</span>;
  if (!verdict.ok)
    return (
      <span className="proof-failed" role="alert">
        Verification failed: <SafeText value={verdict.reason} />
      </span>
    );
  return (
    <span className="proof-ok">
      Included in the log at size {verdict.treeSize.toLocaleString('en-US')}, checkpoint signed by key{' '}
      <SafeText className="mono" value={verdict.keyId} />{' '}
      <span className="muted">(verified in this browser)</span>
    </span>
  );
}
