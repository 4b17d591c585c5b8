/**
 * A fresh, migrated database for one test file, on the driver the vitest
 * project names (TEST_DB=pglite|postgres). PostgreSQL tests get a database of
 * their own on TEST_DATABASE_URL's server, dropped afterwards, so files never
 * share state and can run in any order.
 */
import crypto from "node:crypto";
import { afterAll, beforeAll } from "vitest";
import { openPglite, openPostgres, setDbHandle, type DbHandle } from "@/lib/db";
import { migrateDatabase } from "@/lib/db/migrate";
import { adminSql } from "@/lib/db/admin";

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? "postgres://127.0.0.1:5432/test";
export const testDbKind = (process.env.TEST_DB ?? "pglite") as "pglite" | "postgres";

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

export async function createFreshDatabase(): Promise<DbHandle & { url?: string }> {
  if (testDbKind === "pglite") {
    const handle = openPglite(undefined);
    await migrateDatabase(handle);
    return handle;
  }
  const name = `zdr_test_${process.pid}_${crypto.randomBytes(4).toString("hex")}`;
  await adminSql(TEST_DATABASE_URL, `create database ${name}`);
  const url = withDatabase(TEST_DATABASE_URL, name);
  const handle = openPostgres(url, { max: 5 });
  await migrateDatabase(handle);
  return {
    ...handle,
    async close() {
      await handle.close();
      await adminSql(TEST_DATABASE_URL, `drop database if exists ${name} with (force)`);
    },
  };
}

/** Installs a fresh database as the process's handle for the file's tests. */
export function withFreshDatabase(): { handle: () => DbHandle } {
  let handle: DbHandle | undefined;
  beforeAll(async () => {
    handle = await createFreshDatabase();
    setDbHandle(handle);
  });
  afterAll(async () => {
    setDbHandle(undefined);
    await handle?.close();
  });
  return {
    handle: () => {
      if (!handle) throw new Error("database not ready: call inside a test");
      return handle;
    },
  };
}
