/**
 * One database handle per process, on `globalThis`.
 *
 * Embedded PGlite under DATA_DIR when DATABASE_URL is unset; PostgreSQL (a
 * node-postgres Pool) when it is set. node-postgres rather than postgres.js:
 * postgres.js 3.4.9 can throw an uncaught TypeError when a backend dies under
 * a transaction (upstream #1154, #1208); a pg Pool reports a dead idle client
 * as an 'error' event we handle, and a dead busy one as the query's error. Next bundles this module into several
 * server chunks, so a module-level singleton would open PGlite more than once;
 * `globalThis` is shared by all of them. PGlite does not lock its directory
 * and two openers silently lose writes, so the embedded handle also takes a
 * lock file that another process respects (see ./lock.ts).
 */
import os from "node:os";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { drizzle as drizzlePostgres } from "drizzle-orm/node-postgres";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import type { SQL } from "drizzle-orm";
import pg from "pg";
import { env } from "@/lib/env";
import * as schema from "./schema";
import { acquireDataDirLock, DatabaseLockedError } from "./lock";
import { embeddedSocketUrl } from "./socket";
import { processState } from "@/lib/process-state";

export { schema };
export type Schema = typeof schema;
/** The drizzle database, whichever driver is behind it. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
/** A transaction or the database: what every data function accepts. */
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0] | Db;

export type DbHandle = {
  kind: "pglite" | "postgres";
  db: Db;
  /** The raw client: PGlite, or the node-postgres Pool. */
  pglite?: PGlite;
  pool?: pg.Pool;
  /** The PostgreSQL URL (the cache listener opens its own connection to it). */
  url?: string;
  /** A description safe to print (no password). */
  label: string;
  close(): Promise<void>;
};

const globalForDb = processState("db", (): { value?: DbHandle } => ({}));

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

/**
 * node-postgres options for a URL. A URL without a user name means the operating-system user, as for psql and
 * postgres.js (pg itself reads only $USER, which a service manager may leave unset).
 */
export function pgConnection(url: string): { connectionString: string } {
  try {
    const u = new URL(url);
    // pg lets the connection string's empty user name win over a `user` option: put the name into the URL.
    if (!u.username && !process.env.PGUSER) u.username = process.env.USER || os.userInfo().username;
    return { connectionString: u.toString() };
  } catch {
    return { connectionString: url };
  }
}

/** Set by the server: where a dead idle connection is reported (the default writes one line to stderr). */
// One per process (lib/process-state.ts): server.ts registers it, and the pools opened by Next's bundled copy of this
// module must report to it too, or a page's lost connection would never tell the server the database is down.
const poolErrors = processState("db.poolErrors", () => ({
  report: (err: Error) => {
    process.stderr.write(`[zdr] database connection lost: ${(err as NodeJS.ErrnoException).code ?? err.message}\n`);
  },
}));
export function onPoolError(fn: (err: Error) => void): void {
  poolErrors.report = fn;
}

export function openPostgres(url: string, options: { max?: number } = {}): DbHandle {
  const pool = new pg.Pool({
    ...pgConnection(url),
    max: options.max ?? 10,
    // With the database down a query must fail at once, not wait in a queue: the policy lookup then answers 503 (fail
    // closed) within about a second rather than after a long connect. A connection that cannot be made in 2 s is an error.
    connectionTimeoutMillis: 2_000,
    idleTimeoutMillis: 30_000,
    // A backend that dies while idle: without a listener the pool's 'error' event would crash the process.
    allowExitOnIdle: false,
  });
  pool.on("error", (err) => poolErrors.report(err));
  // A client checked out of the pool emits its own 'error' when its backend dies mid-query; the query rejects too.
  pool.on("connect", (client) => {
    client.on("error", () => {});
  });
  const db = drizzlePostgres({ client: pool, schema }) as unknown as Db;
  return {
    kind: "postgres",
    db,
    pool,
    url,
    label: describeUrl(url),
    async close() {
      await Promise.race([pool.end(), new Promise((r) => setTimeout(r, 5_000).unref())]);
    },
  };
}

/** The embedded directory, or, while the app holds it, the app's socket to it (./socket.ts). */
function openEmbedded(dbDir: string): DbHandle {
  try {
    return openPglite(dbDir);
  } catch (err) {
    const url = err instanceof DatabaseLockedError ? embeddedSocketUrl(dbDir) : undefined;
    if (!url) throw err;
    const handle = openPostgres(url, { max: 1 });
    return {
      ...handle,
      url: undefined,
      label: `the running app's embedded database (process ${err instanceof DatabaseLockedError ? err.pid : "?"}, local socket)`,
    };
  }
}

/** The process's database handle, opened on first use. */
export function getDbHandle(): DbHandle {
  if (!globalForDb.value) {
    const e = env();
    globalForDb.value = e.DATABASE_URL ? openPostgres(e.DATABASE_URL) : openEmbedded(path.join(e.DATA_DIR, "db"));
  }
  return globalForDb.value;
}

export function getDb(): Db {
  return getDbHandle().db;
}

/** Tests and scripts install their own handle (a fresh database) here. */
/** Replaces the process's handle (tests, benchmarks); returns the one it replaced, to put back after. */
export function setDbHandle(handle: DbHandle | undefined): DbHandle | undefined {
  const previous = globalForDb.value;
  globalForDb.value = handle;
  return previous;
}

export async function closeDb(): Promise<void> {
  const h = globalForDb.value;
  globalForDb.value = undefined;
  await h?.close();
}

/** Rows of a raw SQL query, the same shape on both drivers. */
export async function queryRows<T extends Record<string, unknown>>(db: Tx, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown;
  if (Array.isArray(result)) return result as T[];
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}

/** The number of rows a data-modifying statement changed (its command tag), on both drivers. */
export async function affectedRows(db: Tx, query: SQL): Promise<number> {
  const result = (await db.execute(query)) as unknown as { rowCount?: number | null; affectedRows?: number };
  return Number(result.rowCount ?? result.affectedRows ?? 0);
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
  const timedOut = /timeout/i.test(e?.message ?? "");
  const why =
    hints[code] ??
    (timedOut ? "the connection timed out" : undefined) ??
    (e?.message ? e.message.replace(/postgres(ql)?:\/\/[^\s]+/g, "<url>") : "unknown error");
  return new Error(`Cannot connect to ${label}: ${why}${code ? ` [${code}]` : ""}.`);
}
