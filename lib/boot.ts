/**
 * What the app does with its database before it serves: migrate, and on the
 * embedded default seed the demo world once. The server runs it from
 * instrumentation.ts; /api/health awaits it, so nothing is served half-ready.
 */
import { getDbHandle } from "@/lib/db";
import { migrateDatabase } from "@/lib/db/migrate";
import { seedDemoWorld } from "@/lib/demo/seed";
import { processState } from "@/lib/process-state";
import { usageStore } from "@/lib/usage/store";

export type BootReport = { database: string; seeded: boolean; ms: number };

const g = processState("boot", (): { value?: Promise<BootReport> } => ({}));

export function bootDatabase(options: { seed?: "embedded" | "always" | "never" } = {}): Promise<BootReport> {
  g.value ??= (async () => {
    const started = performance.now();
    const handle = getDbHandle();
    await migrateDatabase(handle);
    const seed = options.seed ?? "embedded";
    const seeded = seed === "always" || (seed === "embedded" && handle.kind === "pglite") ? await seedDemoWorld(handle.db) : false;
    // USAGE_STORE=clickhouse: the ClickHouse schema, the demo seed's events moved there, the relay drained.
    await (await usageStore()).start(handle.db);
    return { database: handle.label, seeded, ms: Math.round(performance.now() - started) };
  })();
  return g.value;
}

/** Resolves when boot finished; rejects with its error. */
export function databaseReady(): Promise<BootReport> {
  return g.value ?? bootDatabase();
}
