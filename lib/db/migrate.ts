import path from "node:path";
import { sql } from "drizzle-orm";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import type { PgliteDatabase } from "drizzle-orm/pglite";
import type { PostgresJsDatabase } from "drizzle-orm/postgres-js";
import { connectError, type DbHandle } from "./index";

export const migrationsFolder = path.join(process.cwd(), "drizzle");

/**
 * Applies the SQL migrations in drizzle/ (the same files on both drivers).
 * On PostgreSQL an advisory lock lets several app instances start at once.
 */
export async function migrateDatabase(handle: DbHandle): Promise<void> {
  if (handle.kind === "pglite") {
    await migratePglite(handle.db as unknown as PgliteDatabase, { migrationsFolder });
    return;
  }
  try {
    await handle.db.execute(sql`select 1`);
  } catch (err) {
    throw connectError(err, handle.label);
  }
  const reserved = await handle.sql!.reserve();
  try {
    await reserved`select pg_advisory_lock(7286001)`;
    await migratePostgres(handle.db as unknown as PostgresJsDatabase, { migrationsFolder });
  } finally {
    await reserved`select pg_advisory_unlock(7286001)`.catch(() => {});
    reserved.release();
  }
}
