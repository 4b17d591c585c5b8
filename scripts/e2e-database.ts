/**
 * The e2e run's PostgreSQL database (see e2e/support/env.ts for why not PGlite).
 *
 *   node --import tsx scripts/e2e-database.ts create   # drop a leftover, create, migrate, seed the demo world
 *   node --import tsx scripts/e2e-database.ts drop
 *
 * playwright.config.ts runs `create` before it starts the server, and
 * e2e/global-setup.ts drops the database when the run ends.
 */
import { adminSql } from "@/lib/db/admin";
import { E2E_ADMIN_DATABASE_URL, E2E_DATABASE_NAME, E2E_DATABASE_URL } from "../e2e/support/env";

export async function dropE2eDatabase(): Promise<void> {
  await adminSql(E2E_ADMIN_DATABASE_URL, `drop database if exists ${E2E_DATABASE_NAME} with (force)`);
}

export async function createE2eDatabase(): Promise<void> {
  await dropE2eDatabase();
  await adminSql(E2E_ADMIN_DATABASE_URL, `create database ${E2E_DATABASE_NAME}`);
  const { openPostgres } = await import("@/lib/db");
  const { migrateDatabase } = await import("@/lib/db/migrate");
  const { seedDemoWorld } = await import("@/lib/demo/seed");
  const handle = openPostgres(E2E_DATABASE_URL, { max: 2 });
  try {
    await migrateDatabase(handle);
    await seedDemoWorld(handle.db);
  } finally {
    await handle.close();
  }
}

const command = process.argv[2];
if (command === "create" || command === "drop") {
  const started = Date.now();
  try {
    await (command === "create" ? createE2eDatabase() : dropE2eDatabase());
    console.log(`[e2e] ${command === "create" ? "created and seeded" : "dropped"} database ${E2E_DATABASE_NAME} in ${Date.now() - started} ms`);
  } catch (err) {
    console.error(`[e2e] could not ${command} database ${E2E_DATABASE_NAME} on ${new URL(E2E_ADMIN_DATABASE_URL).host}: ${(err as Error).message}`);
    process.exit(1);
  }
}
