import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { AuditLog } from '../core/services/audit-log.js';

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

/**
 * Stream delivery in /metrics: entries delivered and failed attempts (counted by this node), and how far
 * behind each destination is (read from the store at scrape time, so every node reports the same).
 */
export function watchDelivery(metrics: Metrics, log: AuditLog): void {
  const delivered = new Counter({
    name: 'auditlog_destination_delivered_total',
    help: 'Entries delivered to stream destinations by this node',
    labelNames: ['kind'],
    registers: [metrics.registry],
  });
  const failures = new Counter({
    name: 'auditlog_destination_failures_total',
    help: 'Failed delivery attempts by this node',
    labelNames: ['kind'],
    registers: [metrics.registry],
  });
  log.delivery.listener = {
    delivered: (d, n) => delivered.labels(d.kind).inc(n),
    failed: (d) => failures.labels(d.kind).inc(),
  };
  const lag = async () => log.destinations.statuses();
  new Gauge({
    name: 'auditlog_destination_lag_entries',
    help: 'Entries recorded and not yet delivered, per destination',
    labelNames: ['tenant', 'destination', 'state'],
    registers: [metrics.registry],
    async collect() {
      this.reset();
      for (const s of await lag().catch(() => []))
        this.labels(s.tenant, s.id, s.state).set(s.status.eventsBehind);
    },
  });
  new Gauge({
    name: 'auditlog_destination_lag_seconds',
    help: 'Age of the oldest entry not yet delivered, per destination',
    labelNames: ['tenant', 'destination', 'state'],
    registers: [metrics.registry],
    async collect() {
      this.reset();
      for (const s of await lag().catch(() => []))
        this.labels(s.tenant, s.id, s.state).set(s.status.secondsBehind);
    },
  });
}
