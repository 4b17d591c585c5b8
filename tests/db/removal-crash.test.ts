import { spawn } from "node:child_process";
import { eq, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { organizations, removalJobs } from "@/lib/db/schema";
import { seedDemoWorld } from "@/lib/demo/seed";
import { loadUserPrincipalByEmail } from "@/lib/auth/load-principal";
import { approveRemoval, getRemovalRequest, requestRemoval } from "@/lib/removal/requests";
import { addDays, localDate } from "@/lib/usage/range";
import { countEvents, ingestAll, makeEvents, rollupMismatches } from "../helpers/removal";
import { testDbKind, withFreshDatabase } from "../helpers/db";

const db = withFreshDatabase();
const DAY = 86_400_000;

/** One node process (not the tsx wrapper), so SIGKILL stops the runner itself. */
export function removalChild(url: string, extra: Record<string, string> = {}) {
  let out = "";
  const proc = spawn(process.execPath, ["--import", "tsx", "tests/helpers/removal-child.ts"], {
    env: { ...process.env, DATABASE_URL: url, AUTH_SECRET: "x".repeat(40), NODE_ENV: "test", ...extra },
    stdio: ["ignore", "pipe", "pipe"],
  });
  proc.stdout!.on("data", (c) => (out += c));
  proc.stderr!.on("data", (c) => (out += c));
  const exited = new Promise<number | null>((resolve) => proc.on("exit", (code) => resolve(code)));
  return { proc, out: () => out, exited };
}

describe.skipIf(testDbKind !== "postgres")("a removal job SIGKILLed mid-batch (PostgreSQL)", () => {
  let orgId: string;
  beforeAll(async () => {
    const d = db.handle().db;
    await seedDemoWorld(d, { usage: false });
    [{ id: orgId }] = await d.select({ id: organizations.id }).from(organizations).where(eq(organizations.slug, "northwind-health"));
    const now = Date.now();
    await ingestAll(d, makeEvents(orgId, 4000, now - 30 * DAY, now - 60_000, { seed: 5 }));
  }, 60_000);

  it("resumes after the lease expires and finishes with exact counts", async () => {
    const d = db.handle().db;
    const url = (db.handle() as { url?: string }).url!;
    const admin = (await loadUserPrincipalByEmail(d, "admin@northwind.example"))!;
    const support = (await loadUserPrincipalByEmail(d, "support@provider.example"))!;
    const tz = "America/New_York";
    const today = localDate(new Date(), tz);
    const from = addDays(today, -25);
    const to = addDays(today, -5);
    const scope = sql`org_id = ${orgId} and (occurred_at at time zone ${tz})::date between ${from}::date and ${to}::date`;
    const inScope = await countEvents(d, scope);
    const all = await countEvents(d);
    const r = await requestRemoval(admin, { orgId, scope: "organization", range: "custom", from, to }, d);
    await approveRemoval(support, { requestId: r.id, reason: "Verified with the account owner" }, d);

    const kills = 3;
    for (let k = 0; k < kills; k++) {
      const c = removalChild(url, { BATCH: "150", PAUSE_MS: "40", LEASE_MS: "300" });
      // Kill while a batch's delete is uncommitted: a few batches after the job was claimed.
      while (!c.out().includes("claimed")) await new Promise((res) => setTimeout(res, 10));
      await new Promise((res) => setTimeout(res, 150 + Math.random() * 200));
      c.proc.kill("SIGKILL");
      await c.exited;
      const [job] = await d.select().from(removalJobs).where(eq(removalJobs.requestId, r.id));
      // What the job counted is exactly what is gone: a killed batch left nothing half done.
      expect(await countEvents(d)).toBe(all - job.eventsDeleted);
      expect(job.rowsRemaining).toBe(inScope - job.eventsDeleted);
      expect(await rollupMismatches(d, orgId)).toBe(0);
    }
    const [mid] = await d.select().from(removalJobs).where(eq(removalJobs.requestId, r.id));
    expect(mid.status).toBe("running");
    expect(mid.eventsDeleted).toBeLessThan(inScope);

    const last = removalChild(url, { BATCH: "150", PAUSE_MS: "0", LEASE_MS: "300" });
    expect(await last.exited).toBe(0);
    const done = await getRemovalRequest(admin, { orgId, requestId: r.id }, d);
    expect(done.status).toBe("completed");
    expect((done.counts as { usage_events: number }).usage_events).toBe(inScope);
    expect(await countEvents(d, scope)).toBe(0);
    expect(await countEvents(d)).toBe(all - inScope);
    expect(await rollupMismatches(d, orgId)).toBe(0);
  }, 60_000);
});
