/**
 * `npm run bench`: creates a fresh PostgreSQL database beside BENCH_DATABASE_URL
 * (default postgres://127.0.0.1:5432/postgres), runs every benchmark module of
 * bench/benchmarks/ (or those named: `npm run bench -- ingest policy`), prints
 * one table and writes it to bench/results/, then drops the database.
 *
 * BENCH_QUICK=1 scales the data down for a smoke run; BENCH_PORT (default
 * 3101) is where the production app is started when a benchmark needs HTTP.
 */
import { spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { adminSql } from "@/lib/db/admin";
import { openPostgres, setDbHandle, type DbHandle } from "@/lib/db";
import { migrateDatabase } from "@/lib/db/migrate";
import { closeCacheListener } from "@/lib/db/listen";
import { startServer, type RunningServer } from "./lib/server";
import type { BenchContext, BenchRow, Benchmark } from "./lib/types";

const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? "postgres://127.0.0.1:5432/postgres";
const PORT = Number(process.env.BENCH_PORT ?? 3101);
const QUICK = process.env.BENCH_QUICK === "1";

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

async function loadBenchmarks(only: string[]): Promise<Benchmark[]> {
  const dir = path.join(import.meta.dirname, "benchmarks");
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".ts"))
    .sort();
  const out: Benchmark[] = [];
  for (const f of files) {
    const mod = (await import(path.join(dir, f))) as { benchmark?: Benchmark };
    if (!mod.benchmark) continue;
    if (only.length && !only.includes(mod.benchmark.name)) continue;
    out.push(mod.benchmark);
  }
  return out;
}

function machine(): string {
  const cpus = os.cpus();
  const pg = spawnSync("psql", [ADMIN_URL, "-Atc", "show server_version"], { encoding: "utf8" }).stdout.trim() || "?";
  // The load average tells whether the figures were taken on a quiet machine (others share these 2 cores).
  const load = os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(" ");
  return `${cpus.length} x ${cpus[0]?.model ?? "cpu"}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.platform()} ${os.release()}, Node ${process.version}, PostgreSQL ${pg}, load average ${load}`;
}

function fmt(n: number | undefined, digits = 0): string {
  return n === undefined || Number.isNaN(n) ? "" : n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

function table(rows: BenchRow[]): string {
  const head = ["benchmark", "variant", "data", "rate", "unit", "p50 ms", "p99 ms", "note"];
  const body = rows.map((r) => [
    r.benchmark,
    r.variant,
    r.data,
    fmt(r.rate, Math.abs(r.rate) < 10 ? 2 : 0),
    r.unit,
    fmt(r.p50Ms, 2),
    fmt(r.p99Ms, 2),
    r.note ?? "",
  ]);
  return [`| ${head.join(" | ")} |`, `| ${head.map(() => "---").join(" | ")} |`, ...body.map((b) => `| ${b.join(" | ")} |`)].join("\n");
}

const only = process.argv.slice(2).filter((a) => !a.startsWith("-"));
const log = (l: string) => console.log(`[bench] ${l}`);
const name = `zdr_bench_${process.pid}_${crypto.randomBytes(3).toString("hex")}`;
let handle: DbHandle | undefined;
let app: RunningServer | undefined;
let exitCode = 0;
let startMachine = "";
try {
  await adminSql(ADMIN_URL, `create database ${name}`);
  const url = withDatabase(ADMIN_URL, name);
  handle = { ...openPostgres(url, { max: 10 }), url } as DbHandle;
  await migrateDatabase(handle);
  setDbHandle(handle);
  startMachine = machine();
  log(`fresh database ${name}; machine: ${startMachine}`);
  const ctx: BenchContext = {
    url,
    handle,
    quick: QUICK,
    log,
    async app() {
      app ??= await startServer({ url, port: PORT, log });
      return app.base;
    },
  };
  const rows: BenchRow[] = [];
  for (const b of await loadBenchmarks(only)) {
    // The previous benchmark's writes are flushed before the next one is timed (needs a superuser; skipped otherwise).
    await adminSql(ADMIN_URL, "checkpoint").catch(() => {});
    log(`${b.name}: ${b.description}`);
    rows.push(...(await b.run(ctx)));
  }
  const out = table(rows);
  console.log(`\n${out}\n`);
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  const dir = path.join(import.meta.dirname, "results");
  fs.mkdirSync(dir, { recursive: true });
  const doc = `# Benchmarks ${new Date().toISOString()}\n\nMachine at start: ${startMachine}\nMachine at end: ${machine()}${QUICK ? " (BENCH_QUICK: reduced data)" : ""}\n\n${out}\n`;
  fs.writeFileSync(path.join(dir, `${stamp}.md`), doc);
  fs.writeFileSync(path.join(dir, `${stamp}.json`), JSON.stringify({ machine: startMachine, machineAtEnd: machine(), quick: QUICK, rows }, null, 2));
  log(`written to bench/results/${stamp}.md`);
} catch (err) {
  console.error(`[bench] failed: ${(err as Error).stack ?? err}`);
  exitCode = 1;
} finally {
  app?.stop();
  await closeCacheListener();
  setDbHandle(undefined);
  await handle?.close().catch(() => {});
  await new Promise((r) => setTimeout(r, 500));
  await adminSql(ADMIN_URL, `drop database if exists ${name} with (force)`).catch(() => {});
}
process.exit(exitCode);
