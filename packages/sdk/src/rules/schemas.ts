// The server's event schemas (TypeBox, src/core/domain/schemas/) as the SDK's check reads them: one source.
// The SDK's build (scripts/build.mjs) replaces this module's compiled form with their JSON, so the published
// package needs no schema library; test/sdk/rules-match.test.ts runs both forms against the server's checks.
import { AuthEventInput } from '../../../../src/core/domain/schemas/auth-event-schema.js';
import {
  EventInput,
  EVENT_TYPE_MAX_LENGTH as MAX_TYPE_LENGTH,
  LIMITS as SERVER_LIMITS,
} from '../../../../src/core/domain/schemas/event-schema.js';

/** The limits the SDK checks; the build writes the server's whole LIMITS object. */
export interface Limits {
  readonly eventBytes: number;
  readonly valueBytes: number;
  readonly metadataBytes: number;
}

export const LIMITS: Limits = SERVER_LIMITS;
export const EVENT_TYPE_MAX_LENGTH: number = MAX_TYPE_LENGTH;
export const EVENT_SCHEMA: JsonSchema = EventInput as JsonSchema;
export const AUTH_EVENT_SCHEMA: JsonSchema = AuthEventInput as JsonSchema;

/** The subset of JSON Schema the event schemas use (rules/json-schema.ts refuses any other keyword). */
export interface JsonSchema {
  type?: 'object' | 'string';
  required?: string[];
  properties?: Record<string, JsonSchema>;
  additionalProperties?: boolean;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  'x-pattern-message'?: string;
  format?: 'date-time';
  enum?: string[];
  description?: string;
  $id?: string;
}
