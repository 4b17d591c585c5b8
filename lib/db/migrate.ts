import path from "node:path";
import { sql } from "drizzle-orm";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { migrate as migratePostgres } from "drizzle-orm/node-postgres/migrator";
import { drizzle as drizzleNodePostgres } from "drizzle-orm/node-postgres";
import type { PgliteDatabase } from "drizzle-orm/pglite";
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
  // The advisory lock belongs to a session: take it, migrate and release it on one client, not on whichever the pool hands out.
  const client = await handle.pool!.connect();
  let broken = false;
  try {
    await client.query("select pg_advisory_lock(7286001)");
    await migratePostgres(drizzleNodePostgres({ client }), { migrationsFolder });
  } catch (err) {
    broken = true;
    throw err;
  } finally {
    await client.query("select pg_advisory_unlock(7286001)").catch(() => {});
    // A client whose query failed may be in an unknown state: the pool discards it rather than reuse it.
    client.release(broken);
  }
}
