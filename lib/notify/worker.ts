/**
 * The outbox worker: drains due messages, polls every second, and is kicked
 * right after a retention change commits so admins hear at once. One worker
 * per process, kept on globalThis (Next bundles this module more than once).
 * Several processes on one PostgreSQL database can each run one: SKIP LOCKED
 * and the lease keep them from sending the same message twice in the
 * ordinary case.
 */
import { getDb, type Tx } from "@/lib/db";
import { env } from "@/lib/env";
import { claimOutbox, markAbandoned, markDelivered, markFailed, MAX_EMAIL_ATTEMPTS, purgeDelivered, type OutboxMessage } from "./outbox";
import { defaultTransport, type MailTransport } from "./transport";
import { logger } from "@/lib/log";
import { processState } from "@/lib/process-state";

export type DrainOptions = {
  db?: Tx;
  transport?: MailTransport;
  from?: string;
  leaseMs?: number;
  batchSize?: number;
  /** Attempts of an email before it is a dead letter (tests: fewer). */
  maxEmailAttempts?: number;
  /** Options for the webhook deliverer (tests: fewer attempts, a shorter timeout). */
  webhooks?: Record<string, unknown>;
};

/**
 * Deliverers of the outbox's non-email kinds. A domain that enqueues such a
 * message registers how it is delivered (lib/webhooks/delivery.ts registers
 * "webhook"), so the outbox depends on no domain. Returns whether the message
 * was accepted; the deliverer records its own outcome.
 */
export type OutboxDeliverer = (db: Tx, msg: OutboxMessage, options?: Record<string, unknown>) => Promise<boolean>;
const registry = processState("outboxDeliverers", () => new Map<string, OutboxDeliverer>());

export function registerOutboxDeliverer(kind: string, deliver: OutboxDeliverer): void {
  registry.set(kind, deliver);
}

export type DrainReport = { delivered: number; failed: number };

/** Sends everything due now; returns when nothing is left to claim. Tests call it directly. */
export async function drainOutbox(options: DrainOptions = {}): Promise<DrainReport> {
  const db = options.db ?? getDb();
  const transport = options.transport ?? defaultTransport();
  const from = options.from ?? env().MAIL_FROM;
  const report: DrainReport = { delivered: 0, failed: 0 };
  try {
    for (;;) {
      const batch = await claimOutbox(db, { limit: options.batchSize, leaseMs: options.leaseMs });
      if (batch.length === 0) return report;
      await Promise.all(
        batch.map(async (msg) => {
          if (msg.kind !== "email") {
            // The deliverer records its own outcome (log, backoff, abandonment); a kind nobody registered waits, with a backoff.
            let ok = false;
            try {
              const deliver = registry.get(msg.kind);
              if (!deliver) throw Object.assign(new Error("no deliverer"), { name: "NoDeliverer", code: msg.kind });
              ok = await deliver(db, msg, options.webhooks);
            } catch (err) {
              await markFailed(db, msg, err);
            }
            if (ok) report.delivered++;
            else report.failed++;
            return;
          }
          try {
            await transport.send(msg, from);
          } catch (err) {
            report.failed++;
            // Retries spent: a dead letter, listed for support staff (/support/outbox) with a retry button.
            if (msg.attempts >= (options.maxEmailAttempts ?? MAX_EMAIL_ATTEMPTS)) {
              const e = err as { code?: string; responseCode?: number; name?: string };
              await markAbandoned(db, msg.id, ["gave up:", e?.name ?? "Error", e?.code, e?.responseCode].filter(Boolean).join(" "));
            } else await markFailed(db, msg, err);
            return;
          }
          await markDelivered(db, msg.id);
          report.delivered++;
        }),
      );
    }
  } finally {
    if (!options.transport) transport.close();
  }
}

type Worker = { timer: NodeJS.Timeout; kick: () => void; stop: () => Promise<void> };
const g = processState("outboxWorker", (): { value?: Worker } => ({}));

/** Starts this process's worker (idempotent). */
export function startOutboxWorker(
  options: Omit<DrainOptions, "transport"> & { intervalMs?: number; transport?: MailTransport; onError?: (err: unknown) => void } = {},
): Worker {
  if (g.value) return g.value;
  const transport = options.transport ?? defaultTransport();
  let running: Promise<void> | null = null;
  let again = false;
  let stopped = false;
  const run = () => {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = drainOutbox({ ...options, transport })
      .then(() => undefined)
      .catch((err) => (options.onError ?? ((e) => logger("outbox").error({ err: e }, "outbox delivery round failed")))(err))
      .finally(() => {
        running = null;
        if (again) {
          again = false;
          run();
        }
      });
  };
  // Delivered rows are purged once an hour (and at start), beside the deliveries.
  let purgedAt = 0;
  const purge = () => {
    if (stopped || Date.now() - purgedAt < 3_600_000) return;
    purgedAt = Date.now();
    void purgeDelivered(options.db ?? getDb()).catch((err) => logger("outbox").warn({ err }, "purging delivered messages failed"));
  };
  const timer = setInterval(() => {
    run();
    purge();
  }, options.intervalMs ?? 1000);
  timer.unref();
  const worker: Worker = {
    timer,
    kick: run,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
      transport.close();
      if (g.value === worker) g.value = undefined;
    },
  };
  g.value = worker;
  run();
  return worker;
}

/** Called after a commit that enqueued mail: deliver now rather than at the next poll. */
export function kickOutbox(): void {
  g.value?.kick();
}

export async function stopOutboxWorker(): Promise<void> {
  await g.value?.stop();
}
