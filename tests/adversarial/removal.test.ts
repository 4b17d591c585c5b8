/**
 * Removal jobs killed again and again (PostgreSQL): several approved
 * requests, and a runner SIGKILLed at a random moment (often inside a batch,
 * which pauses in its transaction) then restarted, 20 times in the full run.
 * After every kill: what the jobs counted is exactly what is gone, and the
 * rollups equal the raw events. At the end: 0 rows left in any scope, 0 rows
 * lost outside them, rollups = raw.
 */
import { eq, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { queryRows, type Db } from "@/lib/db";
import { organizations, removalJobs, removalRequests } from "@/lib/db/schema";
import { seedDemoWorld } from "@/lib/demo/seed";
import { loadUserPrincipalByEmail } from "@/lib/auth/load-principal";
import { approveRemoval, requestRemoval } from "@/lib/removal/requests";
import { addDays, localDate } from "@/lib/usage/range";
import { withFreshDatabase } from "../helpers/db";
import { countEvents, ingestAll, makeEvents, rollupMismatches } from "../helpers/removal";
import { startChild } from "./child";
import { record, scale } from "./figures";

const fresh = withFreshDatabase();
const DAY = 86_400_000;
let db: Db;
let url: string;
let northwind: string;
let contoso: string;

beforeAll(async () => {
  db = fresh.handle().db;
  url = (fresh.handle() as { url?: string }).url!;
  await seedDemoWorld(db, { usage: false });
  [{ id: northwind }] = await db.select({ id: organizations.id }).from(organizations).where(eq(organizations.slug, "northwind-health"));
  [{ id: contoso }] = await db.select({ id: organizations.id }).from(organizations).where(eq(organizations.slug, "contoso-bank"));
  const now = Date.now();
  await ingestAll(db, makeEvents(northwind, scale(30_000, 8000), now - 60 * DAY, now - 60_000, { seed: 11 }));
  await ingestAll(db, makeEvents(contoso, scale(10_000, 3000), now - 60 * DAY, now - 60_000, { seed: 12 }));
}, 300_000);

describe("removal jobs under kill/restart (PostgreSQL)", () => {
  it("SIGKILL and restart many times: exact counts after every kill, nothing left in scope, nothing lost outside, rollups = raw", async () => {
    const runs = scale(20, 4);
    const admin = (await loadUserPrincipalByEmail(db, "admin@northwind.example"))!;
    const contosoAdmin = (await loadUserPrincipalByEmail(db, "admin@contoso.example"))!;
    const support = (await loadUserPrincipalByEmail(db, "support@provider.example"))!;
    const ny = localDate(new Date(), "America/New_York");
    const ldn = localDate(new Date(), "Europe/London");
    const scopes = [
      { actor: admin, orgId: northwind, tz: "America/New_York", from: addDays(ny, -50), to: addDays(ny, -36), apiKeyId: undefined },
      { actor: admin, orgId: northwind, tz: "America/New_York", from: addDays(ny, -30), to: addDays(ny, -16), apiKeyId: "key_b" },
      { actor: admin, orgId: northwind, tz: "America/New_York", from: addDays(ny, -10), to: addDays(ny, -2), apiKeyId: undefined },
      { actor: contosoAdmin, orgId: contoso, tz: "Europe/London", from: addDays(ldn, -40), to: addDays(ldn, -20), apiKeyId: undefined },
    ];
    const where = (s: (typeof scopes)[number]) =>
      sql`org_id = ${s.orgId} and (occurred_at at time zone ${s.tz})::date between ${s.from}::date and ${s.to}::date${s.apiKeyId ? sql` and api_key_id = ${s.apiKeyId}` : sql``}`;
    const all = await countEvents(db);
    let inScope = 0;
    for (const s of scopes) {
      inScope += await countEvents(db, where(s));
      const r = await requestRemoval(
        s.actor,
        { orgId: s.orgId, scope: s.apiKeyId ? "api_key" : "organization", apiKeyId: s.apiKeyId, range: "custom", from: s.from, to: s.to },
        db,
      );
      await approveRemoval(support, { requestId: r.id, reason: "Verified with the account owner" }, db);
    }
    let killedMidJob = 0;
    const deletedSoFar = async () =>
      Number((await queryRows<{ n: string }>(db, sql`select coalesce(sum(events_deleted), 0)::bigint as n from removal_jobs`))[0].n);
    for (let run = 0; run < runs; run++) {
      const child = startChild("tests/helpers/removal-child.ts", [], { DATABASE_URL: url, BATCH: "120", PAUSE_MS: "60", LEASE_MS: "300" });
      await child.waitForLine(/^(claimed|done)/m);
      if (child.lines().some((l) => l === "done")) break;
      await new Promise((r) => setTimeout(r, 100 + Math.random() * 500));
      child.proc.kill("SIGKILL");
      await child.exited;
      killedMidJob++;
      // Exact after every kill: the jobs' counts are what is gone, and the rollups still agree with the raw events.
      expect(await countEvents(db)).toBe(all - (await deletedSoFar()));
      expect(await rollupMismatches(db, northwind)).toBe(0);
      expect(await rollupMismatches(db, contoso)).toBe(0);
    }
    const last = startChild("tests/helpers/removal-child.ts", [], { DATABASE_URL: url, BATCH: "500", PAUSE_MS: "0", LEASE_MS: "300" });
    await last.waitForLine(/^done$/m, 120_000);
    await last.exited;

    const requests = await db.select().from(removalRequests);
    expect(requests.map((r) => r.status)).toEqual(requests.map(() => "completed"));
    for (const s of scopes) expect(await countEvents(db, where(s))).toBe(0);
    const left = await countEvents(db);
    expect(left).toBe(all - inScope);
    expect(await deletedSoFar()).toBe(inScope);
    expect(await rollupMismatches(db, northwind)).toBe(0);
    expect(await rollupMismatches(db, contoso)).toBe(0);
    const jobs = await db.select().from(removalJobs);
    record("removal", "kill/restart runs during removal jobs", killedMidJob, String(runs));
    record("removal", "rows left in scope after the runs", 0, "0");
    record("removal", "rows lost outside the scopes", all - inScope - left, "0");
    record("removal", "rollup rows differing from raw", 0, "0");
    // With a 60 ms pause inside each batch and the suite's load: the batch-duration goal is measured by bench/benchmarks/removal.ts.
    record("removal", "max batch duration, 60 ms pause per batch (ms)", Math.max(...jobs.map((j) => j.maxBatchMs)));
    // Every run was killed while a job was under way (a 60 ms pause per batch leaves work for all of them).
    expect(killedMidJob).toBe(runs);
  }, 600_000);
});
