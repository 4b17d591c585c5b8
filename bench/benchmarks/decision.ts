/**
 * The per-request retention decision, side by side in one run:
 * - decisions over HTTP at 8 connections (server.ts fast path) vs pgbench -S;
 * - decide() of the fleet client in process, on one core (a map lookup and
 *   the pure function);
 * - propagation: a restriction committed → the change event received by every
 *   one of N stream clients, spread over 2 app instances (p50/p99);
 * - memory (RSS) of the console instances with those clients connected.
 */
import fs from "node:fs";
import { sql } from "drizzle-orm";
import { createServiceToken } from "@/lib/tokens/tokens";
import { restrictOrganization } from "@/lib/retention/service";
import type { ServicePrincipal } from "@/lib/auth/principal";
import { createRetentionClient } from "@/packages/fleet-client/src/index";
import { createOrgs } from "../lib/generate";
import { percentile, round } from "../lib/stats";
import { startServer } from "../lib/server";
import { ensureWrk } from "../lib/wrk";
import { load, pgbench } from "./policy";
import type { Benchmark, BenchRow } from "../lib/types";

const rssMb = (pid: number | undefined) => {
  if (!pid) return NaN;
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) / 1024 : NaN;
};

/** A raw SSE reader: resolves `ready` once connected; `waitFor(orgId)` resolves with the time the change for it arrived. */
async function streamClient(base: string, token: string) {
  const ac = new AbortController();
  const res = await fetch(`${base}/api/v1/retention-policy/stream`, { headers: { authorization: `Bearer ${token}` }, signal: ac.signal });
  if (res.status !== 200) throw new Error(`stream answered ${res.status}`);
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  const waiters = new Map<string, (t: number) => void>();
  let readyResolve!: () => void;
  const ready = new Promise<void>((r) => (readyResolve = r));
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        let i: number;
        while ((i = buffer.indexOf("\n\n")) >= 0) {
          const block = buffer.slice(0, i);
          buffer = buffer.slice(i + 2);
          if (block.includes("event: ready")) readyResolve();
          if (block.includes("event: change")) {
            const orgId = /"orgId":"([^"]+)"/.exec(block)?.[1];
            const w = orgId ? waiters.get(orgId) : undefined;
            if (w) w(performance.now());
          }
        }
      }
    } catch {
      /* closed */
    }
  })();
  await ready;
  return {
    waitFor: (orgId: string) => new Promise<number>((r) => waiters.set(orgId, r)),
    close: () => ac.abort(),
  };
}

export const benchmark: Benchmark = {
  name: "decision",
  description: "retention decisions over HTTP vs pgbench -S, decide() in process, stream propagation to N clients on 2 instances, and their memory",
  async run(ctx) {
    const orgCount = ctx.quick ? 200 : 1000;
    const seconds = ctx.quick ? 3 : 10;
    const streamClients = ctx.quick ? 100 : 1000;
    const db = ctx.handle.db;
    const orgIds = await createOrgs(db, orgCount, "decision");
    const { token, summary } = await createServiceToken(
      { kind: "system", name: "bench" },
      { name: "bench decision", scopes: ["policy:read", "moderation:write"] },
      db,
    );
    const headers = { authorization: `Bearer ${token}` };
    const rows: BenchRow[] = [];
    const base = await ctx.app();
    const wrk = ensureWrk(ctx.log);

    ctx.log("decisions over HTTP (fast path)");
    const targets = Array.from(
      { length: orgCount },
      (_, i) => `/api/v1/orgs/${orgIds[(i * 7919) % orgIds.length]}/retention-decision?product=llm&enableLogging=false`,
    );
    const http = await load(base, targets, headers, seconds, wrk);
    ctx.log("pgbench -S");
    const scale = ctx.quick ? 1 : 10;
    const pgb = pgbench(ctx.url, seconds, scale);
    const data = `${orgCount.toLocaleString("en-US")} orgs, a different org per request, 8 connections, ${seconds} s`;
    rows.push({
      benchmark: "decision",
      variant: "HTTP GET /api/v1/orgs/{id}/retention-decision (server.ts fast path)",
      data: `${data}, ${http.client}`,
      rate: round(http.rate),
      unit: "req/s",
      p50Ms: round(http.p50Ms, 2),
      p99Ms: round(http.p99Ms, 2),
      note: `${round(http.rate / pgb.tps, 2)}x pgbench (goal >= 1.0x, p99 <= 2 ms)`,
    });
    rows.push({
      benchmark: "decision",
      variant: "pgbench -S (primary-key select), same run",
      data: `scale ${scale}, 8 clients, 2 threads, ${seconds} s`,
      rate: round(pgb.tps),
      unit: "tps",
      p50Ms: round(pgb.p50, 2),
      p99Ms: round(pgb.p99, 2),
    });

    ctx.log("decide() in process");
    const client = createRetentionClient({ baseUrl: base, token, staleAfterMs: 60_000, stream: false });
    const warm = orgIds.slice(0, Math.min(100, orgIds.length));
    for (const o of warm) await client.sync(o);
    let n = 0;
    let sink = 0;
    const started = performance.now();
    const until = started + seconds * 1000;
    while (performance.now() < until) {
      for (let i = 0; i < 100_000; i++) {
        if (client.decide({ orgId: warm[i % warm.length], product: "llm", enableLogging: (i & 1) === 0 }).keepContent) sink++;
      }
      n += 100_000;
    }
    const decideRate = n / ((performance.now() - started) / 1000);
    client.close();
    rows.push({
      benchmark: "decision",
      variant: "fleet client decide() in process, one thread (map lookup + decideRetention)",
      data: `${warm.length} orgs synced, ${seconds} s, keepContent in ${round((100 * sink) / n)}% of answers`,
      rate: round(decideRate),
      unit: "decisions/s",
      note: `goal >= 5,000,000/s: ${round(decideRate / 5_000_000, 2)}x the goal`,
    });

    ctx.log(`propagation to ${streamClients} stream clients on 2 instances`);
    const port = Number(new URL(base).port);
    const instances = [await startServer({ url: ctx.url, port: port + 10, log: ctx.log }), await startServer({ url: ctx.url, port: port + 11, log: ctx.log })];
    try {
      const idle = instances.map((s) => rssMb(s.pid));
      const clients = [];
      for (let i = 0; i < streamClients; i++) clients.push(await streamClient(instances[i % 2].base, token));
      await new Promise((r) => setTimeout(r, 1000));
      const loaded = instances.map((s) => rssMb(s.pid));
      const principal: ServicePrincipal = { kind: "service", tokenId: summary.id, name: "bench", scopes: ["moderation:write"] };
      const rounds = ctx.quick ? 3 : 10;
      // Orgs that are not restricted yet (the generated world mixes states).
      const free = (await db.execute(
        sql`select org_id from retention_states where restriction = 'none' and org_id in (${sql.join(
          orgIds.map((o) => sql`${o}::uuid`),
          sql`, `,
        )}) limit ${rounds}`,
      )) as unknown as { rows: { org_id: string }[] };
      const targetsToRestrict = free.rows.map((r) => r.org_id);
      const delays: number[] = [];
      for (let r = 0; r < rounds; r++) {
        const orgId = targetsToRestrict[r];
        const arrivals = clients.map((c) => c.waitFor(orgId));
        const t0 = performance.now();
        await restrictOrganization(principal, { orgId, reason: "automated_flag", note: "bench" }, db);
        const committed = performance.now();
        const times = await Promise.all(arrivals);
        for (const t of times) delays.push(t - committed);
        ctx.log(`round ${r + 1}: commit ${round(committed - t0, 1)} ms, last client after ${round(Math.max(...times) - committed, 1)} ms`);
      }
      for (const c of clients) c.close();
      rows.push({
        benchmark: "decision",
        variant: "propagation: restriction committed → change event at every stream client",
        data: `${streamClients} clients over 2 app instances, ${rounds} restrictions`,
        rate: round(delays.length / rounds),
        unit: "clients reached per change",
        p50Ms: round(percentile(delays, 50), 1),
        p99Ms: round(percentile(delays, 99), 1),
        note: `goal p99 <= 1000 ms`,
      });
      rows.push({
        benchmark: "decision",
        variant: "console memory (RSS) with the stream clients connected",
        data: `${streamClients / 2} clients per instance`,
        rate: round(loaded[0] + loaded[1]),
        unit: "MiB (2 instances)",
        note: `idle ${round(idle[0])} + ${round(idle[1])} MiB → ${round(loaded[0])} + ${round(loaded[1])} MiB: ${round(((loaded[0] - idle[0] + loaded[1] - idle[1]) * 1024) / streamClients)} KiB per client`,
      });
    } finally {
      for (const s of instances) s.stop();
      await db.execute(sql`select 1`);
    }
    return rows;
  },
};
