/** Erasure of a data subject (docs/api.md, Erasure): one source for the route, the document and the UI. */
import { Type } from 'typebox';
import { PATTERN_MESSAGE, Text } from './common-schemas.js';

export const ErasureRequest = Type.Object(
  {
    // As an event's actor id is (Text), and well-formed: an id no event can hold is a 400, not a 404.
    actorId: Text(256, {
      description: "the subject's actor id",
      pattern: '^[^\\u0000-\\u001f\\u007f\\uD800-\\uDFFF]*$',
      [PATTERN_MESSAGE]: 'must be well-formed Unicode without control characters',
    }),
  },
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
