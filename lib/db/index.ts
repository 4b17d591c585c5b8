/**
 * One database handle per process, on `globalThis`.
 *
 * Embedded PGlite under DATA_DIR when DATABASE_URL is unset; PostgreSQL (a
 * postgres.js pool) when it is set. Next bundles this module into several
 * server chunks, so a module-level singleton would open PGlite more than once;
 * `globalThis` is shared by all of them. PGlite does not lock its directory
 * and two openers silently lose writes, so the embedded handle also takes a
 * lock file that another process respects (see ./lock.ts).
 */
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import type { SQL } from "drizzle-orm";
import postgres from "postgres";
import { env } from "@/lib/env";
import * as schema from "./schema";
import { acquireDataDirLock } from "./lock";

export { schema };
export type Schema = typeof schema;
/** The drizzle database, whichever driver is behind it. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
/** A transaction or the database: what every data function accepts. */
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0] | Db;

export type DbHandle = {
  kind: "pglite" | "postgres";
  db: Db;
  /** The raw client: PGlite, or the postgres.js Sql. */
  pglite?: PGlite;
  sql?: postgres.Sql;
  /** A description safe to print (no password). */
  label: string;
  close(): Promise<void>;
};

const globalForDb = globalThis as unknown as { __zdrDb?: DbHandle };

export function openPglite(dataDir: string | undefined): DbHandle {
  const client = dataDir ? new PGlite(dataDir) : new PGlite();
  const release = dataDir ? acquireDataDirLock(dataDir) : () => {};
  const db = drizzlePglite({ client, schema }) as unknown as Db;
  return {
    kind: "pglite",
    db,
    pglite: client,
    label: dataDir ? `embedded PGlite at ${path.relative(process.cwd(), dataDir) || "."}` : "in-memory PGlite",
    async close() {
      await client.close();
      release();
    },
  };
}

export function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `PostgreSQL at ${u.hostname}:${u.port || "5432"}${u.pathname}`;
  } catch {
    return "PostgreSQL";
  }
}

export function openPostgres(url: string, options: { max?: number } = {}): DbHandle {
  const sql = postgres(url, {
    max: options.max ?? 10,
    onnotice: () => {},
    // A connection that cannot be made fails fast with a clear error (see connectError).
    connect_timeout: 10,
    // postgres.js waits up to 20 s (3^retries / 100 s) before a failed connection's next attempt, and a query waits with
    // it: with the database down, a policy lookup took 15 s to answer 503. Half a second at most keeps fail-closed fast.
    backoff: (retries: number) => Math.min(0.5, 0.05 * 2 ** retries),
  });
  const db = drizzlePostgres({ client: sql, schema }) as unknown as Db;
  return {
    kind: "postgres",
    db,
    sql,
    label: describeUrl(url),
    async close() {
      await sql.end({ timeout: 5 });
    },
  };
}

/** The process's database handle, opened on first use. */
export function getDbHandle(): DbHandle {
  if (!globalForDb.__zdrDb) {
    const e = env();
    globalForDb.__zdrDb = e.DATABASE_URL
      ? openPostgres(e.DATABASE_URL)
      : openPglite(path.join(e.DATA_DIR, "db"));
  }
  return globalForDb.__zdrDb;
}

export function getDb(): Db {
  return getDbHandle().db;
}

/** Tests and scripts install their own handle (a fresh database) here. */
/** Replaces the process's handle (tests, benchmarks); returns the one it replaced, to put back after. */
export function setDbHandle(handle: DbHandle | undefined): DbHandle | undefined {
  const previous = globalForDb.__zdrDb;
  globalForDb.__zdrDb = handle;
  return previous;
}

export async function closeDb(): Promise<void> {
  const h = globalForDb.__zdrDb;
  globalForDb.__zdrDb = undefined;
  await h?.close();
}

/** Rows of a raw SQL query, the same shape on both drivers. */
export async function queryRows<T extends Record<string, unknown>>(db: Tx, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown;
  if (Array.isArray(result)) return result as T[];
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}

/**
 * Turns a driver's connection failure into a sentence that names the
 * database and the cause, without a stack trace or a password.
 */
export function connectError(err: unknown, label: string): Error {
  // drizzle wraps the driver's error in a DrizzleQueryError whose cause is the real one.
  const inner = (err as { cause?: unknown })?.cause ?? err;
  const e = inner as { code?: string; message?: string };
  const code = e?.code ?? "";
  const hints: Record<string, string> = {
    ECONNREFUSED: "nothing is listening there (is PostgreSQL running?)",
    ENOTFOUND: "the host name does not resolve",
    ETIMEDOUT: "the connection timed out",
    CONNECT_TIMEOUT: "the connection timed out",
    "28P01": "the password was refused",
    "28000": "the role is not allowed to connect",
    "3D000": "the database does not exist",
  };
  const why = hints[code] ?? (e?.message ? e.message.replace(/postgres(ql)?:\/\/[^\s]+/g, "<url>") : "unknown error");
  return new Error(`Cannot connect to ${label}: ${why}${code ? ` [${code}]` : ""}.`);
}
