// The lifecycle endpoints' answers (docs/api.md, Data lifecycle).

export interface RetentionPolicy {
  stream: 'event' | 'auth';
  category: string | null;
  maxAgeDays: number;
  updatedAt: string;
}

export interface LegalHold {
  id: string;
  reason: string;
  actorId: string | null;
  targetType: string | null;
  targetId: string | null;
  category: string | null;
  from: string | null;
  to: string | null;
  createdAt: string;
  createdBy: string;
  releasedAt: string | null;
  releasedBy: string | null;
}

export interface PurgeRecord {
  purgeId: string;
  stream: 'event' | 'auth';
  count: number;
  firstSeq: number;
  lastSeq: number;
  signedAt: string;
  keyId: string;
}

export interface PurgeRun {
  purged: number;
  held: number;
  anchor: { seq: number; hash: string } | null;
  steps: number;
}
