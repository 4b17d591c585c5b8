/**
 * The process's life as an operator sees it: live (the process answers),
 * ready (booted, not stopping, the database answers, and on PostgreSQL the
 * change listener is connected so caches can be trusted), and the ordered
 * stop after SIGTERM (outbox worker, change listener, database). Shared on
 * globalThis: server.ts and Next's bundled chunks run in one process.
 */
import { sql } from "drizzle-orm";
import { closeDb, getDbHandle } from "@/lib/db";
import { databaseReady } from "@/lib/boot";
import { cacheListener, closeCacheListener } from "@/lib/db/listen";
import { stopOutboxWorker } from "@/lib/notify/worker";
import { processState } from "@/lib/process-state";

type State = { stopping: boolean; stoppers: (() => Promise<void>)[] };
const g = processState("lifecycle", (): { value?: State } => ({}));
const state = (): State => (g.value ??= { stopping: false, stoppers: [] });

export type Readiness = { ready: boolean; checks: { booted: boolean; stopping: boolean; database: boolean; changeListener: boolean } };

export function isStopping(): boolean {
  return state().stopping;
}

/** Readiness turns false for good: the load balancer stops sending before the listener closes. */
export function beginShutdown(): void {
  state().stopping = true;
}

/** Something else to stop with the database (the PGlite socket server), run before the database closes. */
export function onShutdown(fn: () => Promise<void>): void {
  state().stoppers.push(fn);
}

function within<T>(p: Promise<T>, ms: number): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error("timeout")), ms).unref())]);
}

export async function readiness(): Promise<Readiness> {
  const checks = { booted: false, stopping: isStopping(), database: false, changeListener: false };
  try {
    await within(databaseReady(), 1_000);
    checks.booted = true;
    const handle = getDbHandle();
    await within(handle.db.execute(sql`select 1`), 1_500);
    checks.database = true;
    // A listener that is still connecting (the first probe after start) gets a moment before the answer.
    const listener = cacheListener(handle);
    await within(listener.ready, 1_000).catch(() => {});
    checks.changeListener = listener.connected();
  } catch {
    /* a check that did not pass stays false */
  }
  return { ready: checks.booted && !checks.stopping && checks.database && checks.changeListener, checks };
}

/** After the last request: the outbox worker, the change listener, extra stoppers, then the database (PGlite closed cleanly). */
export async function stopServices(): Promise<void> {
  await stopOutboxWorker().catch(() => {});
  await closeCacheListener().catch(() => {});
  for (const fn of state().stoppers.splice(0)) await fn().catch(() => {});
  await closeDb();
}
