import type { FastifyInstance } from 'fastify';
import { checkText } from '../../core/domain/event-query.js';

/**
 * Every query parameter and path segment of every route MUST be well-formed Unicode without NUL: a 400
 * naming the parameter, before any handler or store sees it (a NUL reaching SQLite's FTS5 or PostgreSQL's
 * text is a driver error, which would be a 500).
 */
export function installUrlTextCheck(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    for (const source of [request.params, request.query]) {
      if (typeof source !== 'object' || source === null) continue;
      for (const [name, value] of Object.entries(source)) {
        for (const v of Array.isArray(value) ? value : [value]) if (typeof v === 'string') checkText(name, v);
      }
    }
  });
}
