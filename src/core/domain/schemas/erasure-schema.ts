/** Erasure of a data subject (docs/api.md, Erasure): one source for the route, the document and the UI. */
import { Type } from 'typebox';

export const ErasureRequest = Type.Object(
  { actorId: Type.String({ minLength: 1, maxLength: 256, description: "the subject's actor id" }) },
  { additionalProperties: false },
);

export const ErasureView = Type.Object({
  keyId: Type.String({ description: 'the destroyed subject key (the subject itself is never recorded)' }),
  erasedAt: Type.String(),
  status: Type.Literal('completed'),
});

export const ErasureList = Type.Object({
  enabled: Type.Boolean({ description: 'whether personal data is encrypted (erasure possible) on this log' }),
  erasures: Type.Array(ErasureView),
});
