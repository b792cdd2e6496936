import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { RawQuery } from '../../core/domain/event-query.js';
import { ErrorBody } from '../../core/domain/schemas/common-schemas.js';
import { ExportQuery } from '../../core/domain/schemas/event-schema.js';
import type { AuditLog } from '../../core/services/audit-log.js';

const CONTENT_TYPES = {
  csv: 'text/csv; charset=utf-8',
  ndjson: 'application/x-ndjson; charset=utf-8',
} as const;

/** Streaming export of every matching event, in constant memory; recorded as an `auditlog.export` event. */
export async function exportRoutes(app: FastifyInstance, { log }: { log: AuditLog }): Promise<void> {
  app.get(
    '/v1/export',
    {
      config: { scope: 'export' },
      schema: {
        operationId: 'exportEvents',
        summary: 'Stream every matching event as CSV or NDJSON (no page limit)',
        tags: ['events'],
        querystring: ExportQuery,
        response: {
          200: {
            description: 'Every matching event: CSV with a header row, or one JSON Event per line',
            content: {
              'text/csv': { schema: Type.String() },
              'application/x-ndjson': { schema: Type.String() },
            },
          },
          400: ErrorBody,
          401: ErrorBody,
          403: ErrorBody,
        },
      },
    },
    async (request, reply) => {
      const { stream, format } = log.startExport(
        request.principal.tenant,
        request.query as RawQuery,
        request.acting(),
      );
      const name = `auditlog-${request.principal.tenant}-${new Date().toISOString().replace(/[:.]/g, '-')}.${format}`;
      return reply
        .header('content-type', CONTENT_TYPES[format])
        .header('content-disposition', `attachment; filename="${name}"`)
        .header('cache-control', 'no-store')
        .send(stream);
    },
  );
}
