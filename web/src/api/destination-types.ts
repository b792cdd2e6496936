// The destination endpoints' bodies and answers (docs/api.md, Stream destinations), as types of the schemas
// the server validates and documents with: `import type` only, so nothing of the server reaches the bundle.
import type { Static } from 'typebox';
import type {
  DestinationCreate,
  DestinationReplay,
  DestinationRotate,
  DestinationTestResult,
  DestinationUpdate,
  DestinationWithSecret,
} from '../../../src/core/domain/schemas/destination-schema.ts';

export type DestinationCreateBody = Static<typeof DestinationCreate>;
export type DestinationUpdateBody = Static<typeof DestinationUpdate>;
export type DestinationReplayBody = Static<typeof DestinationReplay>;
export type DestinationRotateBody = Static<typeof DestinationRotate>;
/** Creating a webhook or rotating its secret: the secret is in this answer only. */
export type DestinationAndSecret = Static<typeof DestinationWithSecret>;
export type DestinationTest = Static<typeof DestinationTestResult>;
