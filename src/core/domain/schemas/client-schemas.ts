import { type Static, Type } from 'typebox';

/**
 * Answers of the routes a client such as the UI reads besides events: its token, the catalog, actor
 * suggestions. Here, not inline in the routes, because the UI's types are these schemas' `Static<>`
 * (web/src/api/types.ts), so that the UI and the API cannot drift apart.
 */
export const Me = Type.Object({
  tokenId: Type.String(),
  tenant: Type.String(),
  name: Type.Union([Type.String(), Type.Null()]),
  scopes: Type.Array(Type.String()),
  kind: Type.String({ description: 'api, bootstrap or viewer' }),
  expiresAt: Type.Union([Type.String(), Type.Null()]),
});
export type Me = Static<typeof Me>;

export const CatalogCategory = Type.Object({
  key: Type.String(),
  label: Type.String(),
  description: Type.String(),
  actions: Type.Array(
    Type.Object({
      eventType: Type.String(),
      label: Type.String(),
      action: Type.String(),
      targetType: Type.String(),
    }),
  ),
});
export const CatalogResponse = Type.Object({ categories: Type.Array(CatalogCategory) });

export const ActorSuggestion = Type.Object({
  id: Type.String(),
  username: Type.Union([Type.String(), Type.Null()]),
  displayName: Type.Union([Type.String(), Type.Null()]),
});
export const ActorList = Type.Object({ actors: Type.Array(ActorSuggestion) });
