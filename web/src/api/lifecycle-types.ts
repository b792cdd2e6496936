// The lifecycle endpoints' answers (docs/api.md, Data lifecycle), as types of the schemas the server
// validates and documents with: `import type` only, so nothing of the server reaches the bundle.
import type { Static } from 'typebox';
import type { ErasureList, ErasureView } from '../../../src/core/domain/schemas/erasure-schema.ts';
import type {
  HoldView,
  PolicyView,
  PurgeRunView,
  PurgeView,
} from '../../../src/core/domain/schemas/lifecycle-schema.ts';

export type RetentionPolicy = Static<typeof PolicyView>;
export type LegalHold = Static<typeof HoldView>;
export type PurgeRecord = Static<typeof PurgeView>;
export type PurgeRun = Static<typeof PurgeRunView>;
export type Erasure = Static<typeof ErasureView>;
export type Erasures = Static<typeof ErasureList>;
