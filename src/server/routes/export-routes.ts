import type { ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { RawQuery } from '../../core/domain/event-query.js';
import { ErrorBody } from '../../core/domain/schemas/common-schemas.js';
import { ExportQuery } from '../../core/domain/schemas/event-schema.js';
import type { AuditLog } from '../../core/services/audit-log.js';
import { type ExportFormat, parseExportQuery } from '../../core/services/export-stream.js';

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
      const tenant = request.principal.tenant;
      const query = request.query as RawQuery;
      const headers = (format: ExportFormat) =>
        reply
          .header('content-type', CONTENT_TYPES[format])
          .header('content-disposition', `attachment; filename="${exportFileName(tenant, format)}"`)
          .header('cache-control', 'no-store');
      // HEAD (Fastify answers it with this handler): GET's status and headers, the query checked as GET checks
      // it, but no export is run or recorded — it ran whole and was recorded as a completed export of N rows.
      if (request.method === 'HEAD') {
        const { format, filter } = parseExportQuery(query);
        log.personal.filter(tenant, filter);
        return headers(format).send();
      }
      const { stream, format, written } = log.startExport(tenant, query, request.acting());
      tellWhenWritten(reply.raw, written);
      return headers(format).send(stream);
    },
  );
}

function exportFileName(tenant: string, format: ExportFormat): string {
  return `auditlog-${tenant}-${new Date().toISOString().replace(/[:.]/g, '-')}.${format}`;
}

/**
 * Calls `written(chunk)` once the socket has written each chunk the stream's pipe writes (which passes no
 * callback of its own): an export's pages are then reused at once (AuditLog.startExport) instead of waiting,
 * written, for the garbage collector.
 */
function tellWhenWritten(res: ServerResponse, written: (chunk: unknown) => void): void {
  const write = res.write as (...args: unknown[]) => boolean;
  res.write = function (this: ServerResponse, chunk: unknown, ...rest: unknown[]): boolean {
    if (rest.length > 0) return write.call(this, chunk, ...rest);
    return write.call(this, chunk, () => written(chunk));
  } as ServerResponse['write'];
}
