/**
 * One short-lived PostgreSQL connection for statements that cannot run in a
 * pool's transaction (create database, drop database): tests, benchmarks and
 * scripts use it.
 */
import pg from "pg";
import { pgConnection } from "./index";

export async function adminSql(url: string, ...statements: string[]): Promise<void> {
  const client = new pg.Client({ ...pgConnection(url), connectionTimeoutMillis: 5_000 });
  client.on("error", () => {});
  await client.connect();
  try {
    for (const s of statements) await client.query(s);
  } finally {
    await client.end().catch(() => {});
  }
}
