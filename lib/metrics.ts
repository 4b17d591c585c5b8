/**
 * Prometheus metrics (prom-client), served by server.ts on METRICS_PORT or at
 * /metrics behind METRICS_TOKEN. Counters move where the work happens;
 * gauges of the database (outbox) are read when scraped. One registry per
 * process on globalThis (Next bundles lib/ into several chunks).
 *
 * Hooks for other parts: `registerGauge` lets removal jobs (rows remaining)
 * and webhook deliveries add their own without touching this file's list.
 */
import client from "prom-client";
import { sql } from "drizzle-orm";
import { getDbHandle, queryRows } from "@/lib/db";
import { cacheListener } from "@/lib/db/listen";
import { processState } from "@/lib/process-state";

type Metrics = {
  registry: client.Registry;
  ingestEvents: client.Counter<"outcome">;
  policyAnswers: client.Counter<"outcome">;
};

const g = processState("metrics", (): { value?: Metrics } => ({}));

function create(): Metrics {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry });
  const ingestEvents = new client.Counter({
    name: "zdr_ingest_events_total",
    help: "Usage events received, by outcome (accepted, duplicate, conflict).",
    labelNames: ["outcome"],
    registers: [registry],
  });
  const policyAnswers = new client.Counter({
    name: "zdr_policy_answers_total",
    help: "Retention-policy answers, by outcome (ok, not_modified, or the problem code).",
    labelNames: ["outcome"],
    registers: [registry],
  });
  new client.Gauge({
    name: "zdr_change_listener_connected",
    help: "1 while the LISTEN connection that keeps the caches honest is up.",
    registers: [registry],
    collect() {
      try {
        this.set(cacheListener(getDbHandle()).connected() ? 1 : 0);
      } catch {
        this.set(0);
      }
    },
  });
  const outbox = { pending: 0, oldest: 0, dead: 0 };
  // The outbox gauges come from one query per scrape (their collects run concurrently).
  let reading: Promise<void> | undefined;
  const readOutbox = () => (reading ??= readOnce().finally(() => (reading = undefined)));
  const readOnce = async () => {
    const [row] = await queryRows<{ pending: number; oldest: number | null; dead: number }>(
      getDbHandle().db,
      sql`select count(*) filter (where abandoned_at is null)::int as pending,
                 extract(epoch from now() - min(created_at) filter (where abandoned_at is null))::float8 as oldest,
                 count(*) filter (where abandoned_at is not null)::int as dead
          from outbox where delivered_at is null`,
    );
    outbox.pending = Number(row?.pending ?? 0);
    outbox.oldest = Number(row?.oldest ?? 0);
    outbox.dead = Number(row?.dead ?? 0);
  };
  new client.Gauge({
    name: "zdr_outbox_pending",
    help: "Outbox messages not delivered yet and still being retried.",
    registers: [registry],
    async collect() {
      await readOutbox().catch(() => {});
      this.set(outbox.pending);
    },
  });
  new client.Gauge({
    name: "zdr_outbox_oldest_pending_age_seconds",
    help: "Age of the oldest undelivered outbox message.",
    registers: [registry],
    async collect() {
      await readOutbox().catch(() => {});
      this.set(outbox.oldest);
    },
  });
  new client.Gauge({
    name: "zdr_outbox_dead_letters",
    help: "Outbox messages whose retries are spent (listed at /support/outbox).",
    registers: [registry],
    async collect() {
      await readOutbox().catch(() => {});
      this.set(outbox.dead);
    },
  });
  return { registry, ingestEvents, policyAnswers };
}

export function metrics(): Metrics {
  return (g.value ??= create());
}

export function countIngest(result: { accepted: number; duplicates: number; conflicts: number | unknown[] }): void {
  const m = metrics().ingestEvents;
  m.inc({ outcome: "accepted" }, result.accepted);
  m.inc({ outcome: "duplicate" }, result.duplicates);
  m.inc({ outcome: "conflict" }, Array.isArray(result.conflicts) ? result.conflicts.length : result.conflicts);
}

export function countPolicyAnswer(status: number): void {
  const outcome =
    status === 200
      ? "ok"
      : status === 304
        ? "not_modified"
        : status === 503
          ? "unavailable"
          : status === 404
            ? "not_found"
            : status === 401
              ? "unauthorized"
              : status === 403
                ? "forbidden"
                : status === 429
                  ? "rate_limited"
                  : "error";
  metrics().policyAnswers.inc({ outcome });
}

/** Another part's gauge (removal rows remaining, webhook deliveries), read at scrape time. */
export function registerGauge(name: string, help: string, read: () => Promise<number> | number): void {
  const registry = metrics().registry;
  if (registry.getSingleMetric(name)) return;
  new client.Gauge({
    name,
    help,
    registers: [registry],
    async collect() {
      this.set(await read());
    },
  });
}

export async function metricsText(): Promise<{ contentType: string; body: string }> {
  const { registry } = metrics();
  return { contentType: registry.contentType, body: await registry.metrics() };
}
