/** The data-lifecycle answers (docs/api.md, Data lifecycle): one source for the routes, the document and the UI. */
import { Type } from 'typebox';

export const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) =>
  Type.Union([t, Type.Null()]);
export const Stream = Type.Union([Type.Literal('event'), Type.Literal('auth')]);

export const PolicyView = Type.Object({
  stream: Stream,
  category: Nullable(Type.String()),
  maxAgeDays: Type.Integer(),
  updatedAt: Type.String(),
});
export const HoldView = Type.Object({
  id: Type.String(),
  reason: Type.String(),
  actorId: Nullable(Type.String()),
  targetType: Nullable(Type.String()),
  targetId: Nullable(Type.String()),
  category: Nullable(Type.String()),
  from: Nullable(Type.String()),
  to: Nullable(Type.String()),
  createdAt: Type.String(),
  createdBy: Type.String(),
  releasedAt: Nullable(Type.String()),
  releasedBy: Nullable(Type.String()),
});
export const PurgeView = Type.Object({
  purgeId: Type.String(),
  stream: Stream,
  count: Type.Integer(),
  firstSeq: Type.Integer(),
  lastSeq: Type.Integer(),
  seqsDigest: Type.String(),
  anchorSeq: Type.Integer(),
  anchorHash: Type.String(),
  signedAt: Type.String(),
  keyId: Type.String(),
  signature: Type.String(),
});
export const PurgeRunView = Type.Object({
  purged: Type.Integer(),
  held: Type.Integer(),
  anchor: Nullable(Type.Object({ seq: Type.Integer(), hash: Type.String() })),
  steps: Type.Integer(),
});
