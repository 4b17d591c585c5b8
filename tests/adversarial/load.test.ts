/**
 * Load on PostgreSQL: 8 concurrent ingest clients (batches of 100 through the
 * real route handler) and 8 dashboard readers (everything /usage shows, for a
 * random range, as an admin) for 60 s in the full run, on the demo world with
 * its 90 days of usage. No error allowed; p50/p99 of each reported. Clients
 * and app share this one Node process (2 cores in all), so the figures include
 * the event loop's queueing, as a busy app instance would.
 */
import crypto from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as ingestRoute } from "@/app/api/v1/usage/events/route";
import { openPostgres, queryRows, setDbHandle, type Db, type DbHandle } from "@/lib/db";
import { closeCacheListener } from "@/lib/db/listen";
import { setRateLimits } from "@/lib/api/rate-limit";
import { organizations } from "@/lib/db/schema";
import { seedDemoWorld } from "@/lib/demo/seed";
import { loadUserPrincipalByEmail } from "@/lib/auth/load-principal";
import { getUsageDashboard } from "@/lib/usage/queries";
import type { RangeInput } from "@/lib/usage/range";
import { makeEvent, makeToken } from "../helpers/api";
import { withFreshDatabase } from "../helpers/db";
import { record, scale } from "./figures";

const fresh = withFreshDatabase();
let pool: DbHandle;
let db: Db;
let northwind: string;
let rows = 0;

beforeAll(async () => {
  db = fresh.handle().db;
  await seedDemoWorld(db, { usage: true });
  [{ id: northwind }] = await db.select({ id: organizations.id }).from(organizations).where(eq(organizations.slug, "northwind-health"));
  [{ n: rows }] = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from usage_events`);
  // The app's pool sized for 16 concurrent clients, as a server would have it.
  pool = Object.assign(openPostgres((fresh.handle() as { url?: string }).url!, { max: 16 }), { url: (fresh.handle() as { url?: string }).url });
  setDbHandle(pool);
  setRateLimits({ ingest: { perSecond: 1e9, burst: 1e9 } });
}, 600_000);

afterAll(async () => {
  setRateLimits({});
  await closeCacheListener();
  await pool.close();
  setDbHandle(fresh.handle());
});

function pct(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN;
}

describe("load", () => {
  it("8 ingest clients + 8 dashboard readers: no error, p99 of each", async () => {
    const durationMs = scale(60_000, 8_000);
    const token = (await makeToken(db, ["usage:write"])).token;
    const admin = (await loadUserPrincipalByEmail(db, "admin@northwind.example"))!;
    const ingestMs: number[] = [];
    const readMs: number[] = [];
    const errors: string[] = [];
    let events = 0;
    const end = Date.now() + durationMs;
    const ranges: RangeInput[] = [{ key: "24h" }, { key: "7d" }, { key: "30d" }, { key: "90d" }];

    const ingestClient = async () => {
      while (Date.now() < end) {
        const batch = Array.from({ length: 100 }, () => makeEvent(northwind, { id: crypto.randomUUID() }));
        const t0 = performance.now();
        const res = await ingestRoute(
          new Request("http://localhost/api/v1/usage/events", {
            method: "POST",
            headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
            body: JSON.stringify({ events: batch }),
          }),
          { params: Promise.resolve({}) },
        );
        await res.text();
        ingestMs.push(performance.now() - t0);
        if (res.status !== 200) errors.push(`ingest ${res.status}`);
        else events += batch.length;
      }
    };
    const reader = async () => {
      while (Date.now() < end) {
        const t0 = performance.now();
        try {
          await getUsageDashboard(admin, { orgId: northwind, range: ranges[Math.floor(Math.random() * ranges.length)] });
        } catch (err) {
          errors.push(`dashboard ${(err as Error).name}`);
        }
        readMs.push(performance.now() - t0);
      }
    };
    await Promise.all([...Array.from({ length: 8 }, ingestClient), ...Array.from({ length: 8 }, reader)]);
    ingestMs.sort((a, b) => a - b);
    readMs.sort((a, b) => a - b);
    const secs = durationMs / 1000;
    record("load", `duration, data: ${secs} s on PostgreSQL, demo world with ${rows} usage events at the start (90 days, 3 orgs)`, `${secs} s`);
    record("load", "ingest: batches of 100 / events stored / events per second", `${ingestMs.length} / ${events} / ${Math.round(events / secs)}`);
    record("load", "ingest latency p50 / p99 (ms)", `${pct(ingestMs, 50).toFixed(0)} / ${pct(ingestMs, 99).toFixed(0)}`);
    record("load", "dashboard reads (every widget of /usage, random range) / per second", `${readMs.length} / ${(readMs.length / secs).toFixed(1)}`);
    record("load", "dashboard latency p50 / p99 (ms)", `${pct(readMs, 50).toFixed(0)} / ${pct(readMs, 99).toFixed(0)}`);
    record("load", "errors under load", errors.length, "0");
    expect(errors).toEqual([]);
  });
});
