import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

/** The service's Prometheus metrics; one registry per server so that tests can run several. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'auditlog_' });
  return {
    registry,
    requests: new Histogram({
      name: 'auditlog_http_request_duration_seconds',
      help: 'HTTP request duration by route and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    appended: new Counter({
      name: 'auditlog_entries_appended_total',
      help: 'Entries stored (duplicates excluded)',
      labelNames: ['stream'],
      registers: [registry],
    }),
    duplicates: new Counter({
      name: 'auditlog_entries_duplicate_total',
      help: 'Entries re-sent with a known id and the same content',
      labelNames: ['stream'],
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
