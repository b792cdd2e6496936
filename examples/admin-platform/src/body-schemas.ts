/**
 * What each admin route accepts (Fastify validates bodies with these before a handler runs, so a refused
 * request records nothing and changes nothing): without them `{}` emptied an IVR menu, a role became an
 * object, a missing pacing field became NaN and a bulk update without ids was a 500.
 */
const text = (maxLength: number, minLength = 1) => ({ type: 'string', minLength, maxLength }) as const;
const object = (properties: Record<string, unknown>, required: string[] = []) =>
  ({
    type: 'object',
    properties,
    required,
    additionalProperties: false,
    ...(required.length === 0 ? { minProperties: 1 } : {}),
  }) as const;

const ROLE = { type: 'string', enum: ['admin', 'supervisor', 'agent'] } as const;

/** An IVR menu node: a prompt and up to twelve keys, each a node or an action (shared as `ivrNode`). */
export const IVR_NODE = {
  $id: 'ivrNode',
  type: 'object',
  required: ['prompt'],
  additionalProperties: false,
  properties: {
    prompt: text(500),
    options: {
      type: 'object',
      maxProperties: 12,
      propertyNames: { pattern: '^[0-9*#]$' },
      additionalProperties: {
        anyOf: [{ $ref: 'ivrNode#' }, object({ action: text(32), queue: text(64) }, ['action'])],
      },
    },
  },
} as const;

export const BODIES = {
  createUser: object(
    { username: text(64), displayName: text(128), role: ROLE, password: text(128, 8), email: text(254, 3) },
    ['username'],
  ),
  editUser: object({ displayName: text(128), email: text(254, 3) }),
  role: object({ role: ROLE }, ['role']),
  editCampaign: object({ name: text(128) }),
  pacing: object({
    dialRatio: { type: 'number', minimum: 1, maximum: 10 },
    maxAbandonRate: { type: 'number', minimum: 0, maximum: 100 },
  }),
  carrier: object({
    name: text(128),
    host: text(253),
    maxChannels: { type: 'integer', minimum: 1, maximum: 100_000 },
    password: text(128),
  }),
  trunkGroup: object({
    name: text(128),
    carriers: { type: 'array', items: text(64), maxItems: 64 },
    strategy: text(32),
  }),
  ivrMenu: object({ tree: { $ref: 'ivrNode#' } }, ['tree']),
  aiProvider: object({ provider: text(64), model: text(128), apiKey: text(256) }),
  bulkLeads: object(
    { leadIds: { type: 'array', items: text(64), minItems: 1, maxItems: 1000 }, status: text(64) },
    ['leadIds', 'status'],
  ),
} as const;
