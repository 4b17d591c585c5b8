/**
 * Retention-policy lookups at 8 concurrent clients: over HTTP against the
 * production server (server.ts, whose fast path answers this route before
 * Next), against the same built app under plain `next start` (Next's route
 * handler: what the fast path saves), in-process (the lookup function alone),
 * and pgbench's primary-key select (-S) on the same machine. HTTP load comes
 * from wrk, a C client like pgbench (bench/lib/wrk.ts).
 */
import { spawnSync } from "node:child_process";
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
import { startServer } from "../lib/server";
import { ensureWrk, runWrk } from "../lib/wrk";
import type { Benchmark, BenchRow } from "../lib/types";

const CLIENTS = 8;
const THREADS = 2;

export function pgbench(url: string, seconds: number, scale: number): { tps: number; p50: number; p99: number } {
  const bin = fs.existsSync("/usr/lib/postgresql/15/bin/pgbench") ? "/usr/lib/postgresql/15/bin/pgbench" : "pgbench";
  const init = spawnSync(bin, ["-i", "-q", "-s", String(scale), url], { encoding: "utf8" });
  if (init.status !== 0) throw new Error(`pgbench -i failed: ${init.stderr}`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pgbench-"));
  const run = spawnSync(bin, ["-S", "-n", "-c", String(CLIENTS), "-j", String(THREADS), "-T", String(seconds), "-l", `--log-prefix=${dir}/log`, url], {
    encoding: "utf8",
  });
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

type HttpRun = { rate: number; p50Ms: number; p99Ms: number; client: string };

/** GETs of `targets` for `seconds` at CLIENTS connections; every answer must be 200. */
export async function load(base: string, targets: string[], headers: Record<string, string>, seconds: number, wrk: string | null): Promise<HttpRun> {
  if (wrk) {
    runWrk(wrk, { baseUrl: base, targets, headers, connections: CLIENTS, threads: THREADS, seconds: 2 });
    const r = runWrk(wrk, { baseUrl: base, targets, headers, connections: CLIENTS, threads: THREADS, seconds });
    if (r.non2xx || r.socketErrors) throw new Error(`policy over HTTP: ${r.non2xx} answers not 2xx, ${r.socketErrors} socket errors`);
    return { rate: r.rate, p50Ms: r.p50Ms, p99Ms: r.p99Ms, client: `wrk, ${THREADS} threads` };
  }
  const next = (i: number) => ({ method: "GET" as const, path: targets[i % targets.length], headers });
  await runLoad({ baseUrl: base, concurrency: CLIENTS, total: targets.length * 2, next });
  const r = await runLoad({ baseUrl: base, concurrency: CLIENTS, seconds, next });
  if ((r.statuses.get(200) ?? 0) !== r.requests) throw new Error(`policy answered ${JSON.stringify([...r.statuses])}`);
  return {
    rate: r.requests / r.seconds,
    p50Ms: percentile(r.latenciesMs, 50),
    p99Ms: percentile(r.latenciesMs, 99),
    client: "Node client on the same cores (wrk unavailable)",
  };
}

/** The same build under plain `next start`, on the next port, while `fn` runs. */
async function withNextStart<T>(url: string, base: string, log: (l: string) => void, fn: (nextBase: string) => Promise<T>): Promise<T> {
  const server = await startServer({ url, port: Number(new URL(base).port) + 1, log, nextStart: true });
  try {
    return await fn(server.base);
  } finally {
    server.stop();
  }
}

export const benchmark: Benchmark = {
  name: "policy",
  description: `retention-policy lookups at ${CLIENTS} clients vs pgbench -S`,
  async run(ctx) {
    const orgCount = ctx.quick ? 200 : 1000;
    const seconds = ctx.quick ? 3 : 10;
    const db = ctx.handle.db;
    const orgIds = await createOrgs(db, orgCount, "policy");
    const { token, summary } = await createServiceToken({ kind: "system", name: "bench" }, { name: "bench policy", scopes: ["policy:read"] }, db);
    const headers = { authorization: `Bearer ${token}` };
    const base = await ctx.app();
    const wrk = ensureWrk(ctx.log);
    // A fixed shuffle of the orgs: every request asks about another org than the one before.
    const targets = Array.from({ length: orgCount }, (_, i) => `/api/v1/orgs/${orgIds[(i * 7919) % orgIds.length]}/retention-policy`);
    const data = `${orgCount.toLocaleString("en-US")} orgs, a different org per request, ${CLIENTS} connections, ${seconds} s`;
    const rows: BenchRow[] = [];

    ctx.log("policy over HTTP: production server (server.ts fast path)");
    const fast = await load(base, targets, headers, seconds, wrk);
    ctx.log("policy over HTTP: Next's route handler (next start)");
    const viaNext = await withNextStart(ctx.url, base, ctx.log, (nextBase) => load(nextBase, targets, headers, seconds, wrk));

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
          await lookupRetentionPolicy(principal, { orgId: orgIds[(n++ * 7919) % orgIds.length] });
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
      variant: "HTTP GET /api/v1/orgs/{id}/retention-policy, production server (server.ts fast path: auth, rate limit, cached lookup)",
      data: `${data}, ${fast.client}`,
      rate: round(fast.rate),
      unit: "req/s",
      p50Ms: round(fast.p50Ms, 2),
      p99Ms: round(fast.p99Ms, 2),
      note: `${round(fast.rate / pgb.tps, 2)}x pgbench (goal >= 0.55x, p99 <= 3 ms)`,
    });
    rows.push({
      benchmark: "policy",
      variant: "the same request through Next's route handler (next start, same build)",
      data: `${data}, ${viaNext.client}`,
      rate: round(viaNext.rate),
      unit: "req/s",
      p50Ms: round(viaNext.p50Ms, 2),
      p99Ms: round(viaNext.p99Ms, 2),
      note: `${round(viaNext.rate / pgb.tps, 2)}x pgbench; the fast path is ${round(fast.rate / viaNext.rate, 1)}x this`,
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
      data: `scale ${scale} (${(scale * 100_000).toLocaleString("en-US")} accounts), ${CLIENTS} clients, ${THREADS} threads, ${seconds} s`,
      rate: round(pgb.tps),
      unit: "tps",
      p50Ms: round(pgb.p50, 2),
      p99Ms: round(pgb.p99, 2),
    });
    return rows;
  },
};
