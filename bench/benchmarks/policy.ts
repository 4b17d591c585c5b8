/**
 * Retention-policy lookups at 8 concurrent clients: over HTTP against the
 * production app, in-process (the lookup function alone), and pgbench's
 * primary-key select (-S) on the same machine for comparison.
 */
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createServiceToken } from "@/lib/tokens/tokens";
import { lookupRetentionPolicy } from "@/lib/retention/policy-lookup";
import { cacheListener } from "@/lib/db/listen";
import type { ServicePrincipal } from "@/lib/auth/principal";
import { createOrgs } from "../lib/generate";
import { runLoad } from "../lib/http-load";
import { percentile, round } from "../lib/stats";
import type { Benchmark, BenchRow } from "../lib/types";

const CLIENTS = 8;

function pgbench(url: string, seconds: number, scale: number): { tps: number; p50: number; p99: number } {
  const bin = fs.existsSync("/usr/lib/postgresql/15/bin/pgbench") ? "/usr/lib/postgresql/15/bin/pgbench" : "pgbench";
  const init = spawnSync(bin, ["-i", "-q", "-s", String(scale), url], { encoding: "utf8" });
  if (init.status !== 0) throw new Error(`pgbench -i failed: ${init.stderr}`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pgbench-"));
  const run = spawnSync(bin, ["-S", "-n", "-c", String(CLIENTS), "-j", "2", "-T", String(seconds), "-l", `--log-prefix=${dir}/log`, url], { encoding: "utf8" });
  if (run.status !== 0) throw new Error(`pgbench failed: ${run.stderr}`);
  const tps = Number(/tps = ([\d.]+) \(without initial connection time\)/.exec(run.stdout)?.[1] ?? NaN);
  const latencies: number[] = [];
  for (const f of fs.readdirSync(dir)) {
    for (const line of fs.readFileSync(path.join(dir, f), "utf8").split("\n")) {
      const us = Number(line.split(" ")[2]);
      if (Number.isFinite(us) && line) latencies.push(us / 1000);
    }
  }
  fs.rmSync(dir, { recursive: true, force: true });
  return { tps, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

export const benchmark: Benchmark = {
  name: "policy",
  description: `retention-policy lookups at ${CLIENTS} clients vs pgbench -S`,
  async run(ctx) {
    const orgCount = ctx.quick ? 200 : 1000;
    const seconds = ctx.quick ? 3 : 10;
    const db = ctx.handle.db;
    const orgIds = await createOrgs(db, orgCount, "policy");
    const { token, summary } = await createServiceToken(db, { kind: "system", name: "bench" }, { name: "bench policy", scopes: ["policy:read"] });
    const headers = { authorization: `Bearer ${token}` };
    const base = await ctx.app();
    const data = `${orgCount.toLocaleString("en-US")} orgs, random org per request, ${CLIENTS} clients, ${seconds} s`;
    const rows: BenchRow[] = [];
    const path1 = (i: number) => `/api/v1/orgs/${orgIds[(i * 7919) % orgIds.length]}/retention-policy`;

    await runLoad({ baseUrl: base, concurrency: CLIENTS, total: orgCount * 2, next: (i) => ({ method: "GET", path: path1(i), headers }) });
    ctx.log("policy over HTTP");
    const http = await runLoad({ baseUrl: base, concurrency: CLIENTS, seconds, next: (i) => ({ method: "GET", path: path1(i), headers }) });
    if ((http.statuses.get(200) ?? 0) !== http.requests) throw new Error(`policy answered ${JSON.stringify([...http.statuses])}`);
    const httpRate = http.requests / http.seconds;

    // The same route handler behind a bare node:http server in its own process: what the lookup costs over HTTP without Next's stack.
    ctx.log("policy over bare node:http");
    const bare = spawn(process.execPath, ["--import", "tsx", "tests/helpers/policy-instance.ts"], {
      env: { ...process.env, DATABASE_URL: ctx.url, AUTH_SECRET: "b".repeat(40), NODE_ENV: "production" },
      stdio: ["ignore", "pipe", "inherit"],
    });
    const bareBase = await new Promise<string>((resolve, reject) => {
      bare.stdout!.on("data", (d: Buffer) => {
        const m = /listening (\d+)/.exec(d.toString());
        if (m) resolve(`http://127.0.0.1:${m[1]}`);
      });
      bare.on("exit", (code) => reject(new Error(`policy instance exited ${code}`)));
    });
    await runLoad({ baseUrl: bareBase, concurrency: CLIENTS, total: orgCount * 2, next: (i) => ({ method: "GET", path: path1(i), headers }) });
    const bareRun = await runLoad({ baseUrl: bareBase, concurrency: CLIENTS, seconds, next: (i) => ({ method: "GET", path: path1(i), headers }) });
    bare.kill("SIGTERM");
    const bareRate = bareRun.requests / bareRun.seconds;

    ctx.log("policy in-process");
    await cacheListener(ctx.handle).ready;
    const principal: ServicePrincipal = { kind: "service", tokenId: summary.id, name: "bench", scopes: ["policy:read"] };
    const latencies: number[] = [];
    let n = 0;
    const started = performance.now();
    const deadline = started + seconds * 1000;
    await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        while (performance.now() < deadline) {
          const t = performance.now();
          await lookupRetentionPolicy({ principal, orgId: orgIds[(n++ * 7919) % orgIds.length] });
          latencies.push(performance.now() - t);
          // Yield to the event loop as a request would, so clients interleave.
          if (n % 64 === 0) await new Promise((r) => setImmediate(r));
        }
      }),
    );
    const inProcRate = latencies.length / ((performance.now() - started) / 1000);

    ctx.log("pgbench -S");
    const scale = ctx.quick ? 1 : 10;
    const pgb = pgbench(ctx.url, seconds, scale);

    rows.push({
      benchmark: "policy",
      variant: "HTTP GET /api/v1/orgs/{id}/retention-policy (next start, cached, auth + rate limit)",
      data,
      rate: round(httpRate),
      unit: "req/s",
      p50Ms: round(percentile(http.latenciesMs, 50), 2),
      p99Ms: round(percentile(http.latenciesMs, 99), 2),
      note: `${round(httpRate / pgb.tps, 2)}x pgbench (goal >= 0.55x, p99 <= 3 ms)`,
    });
    rows.push({
      benchmark: "policy",
      variant: "HTTP, same route handler behind bare node:http (one process)",
      data,
      rate: round(bareRate),
      unit: "req/s",
      p50Ms: round(percentile(bareRun.latenciesMs, 50), 2),
      p99Ms: round(percentile(bareRun.latenciesMs, 99), 2),
      note: `${round(bareRate / pgb.tps, 2)}x pgbench`,
    });
    rows.push({
      benchmark: "policy",
      variant: "lookupRetentionPolicy in-process (no HTTP)",
      data,
      rate: round(inProcRate),
      unit: "lookups/s",
      p50Ms: round(percentile(latencies, 50), 4),
      p99Ms: round(percentile(latencies, 99), 4),
    });
    rows.push({
      benchmark: "policy",
      variant: "pgbench -S (primary-key select)",
      data: `scale ${scale} (${(scale * 100_000).toLocaleString("en-US")} accounts), ${CLIENTS} clients, 2 threads, ${seconds} s`,
      rate: round(pgb.tps),
      unit: "tps",
      p50Ms: round(pgb.p50, 2),
      p99Ms: round(pgb.p99, 2),
    });
    return rows;
  },
};
