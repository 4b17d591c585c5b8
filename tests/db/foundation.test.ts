import { count, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { queryRows } from "@/lib/db";
import { auditLog, organizations, retentionStates, usageEvents, usageRollupsDaily, usageRollupsHourly, users } from "@/lib/db/schema";
import { seedDemoWorld, DEMO_USERS } from "@/lib/demo/seed";
import { verifyAuditChain } from "@/lib/audit/chain";
import { migrateDatabase } from "@/lib/db/migrate";
import { testDbKind, withFreshDatabase } from "../helpers/db";

const db = withFreshDatabase();

describe(`foundation on ${testDbKind}`, () => {
  it("applies every migration and answers a query", async () => {
    const rows = await queryRows<{ table_name: string }>(
      db.handle().db,
      sql`select table_name from information_schema.tables where table_schema = 'public' order by table_name`,
    );
    const tables = rows.map((r) => r.table_name);
    for (const t of [
      "users",
      "organizations",
      "memberships",
      "support_staff",
      "retention_states",
      "usage_events",
      "usage_rollups_hourly",
      "usage_rollups_daily",
      "audit_log",
      "notices",
      "outbox",
      "service_tokens",
      "zdr_requests",
    ]) {
      expect(tables).toContain(t);
    }
  });

  it("running the migrations again changes nothing", async () => {
    await migrateDatabase(db.handle());
    const [{ n }] = await db.handle().db.select({ n: count() }).from(users);
    expect(n).toBe(0);
  });

  it("the usage table holds metadata columns only", async () => {
    const rows = await queryRows<{ column_name: string }>(
      db.handle().db,
      sql`select column_name from information_schema.columns where table_name = 'usage_events' order by ordinal_position`,
    );
    expect(rows.map((r) => r.column_name)).toEqual([
      "id",
      "org_id",
      "occurred_at",
      "product",
      "model",
      "input_units",
      "output_units",
      "status",
      "latency_ms",
      "api_key_id",
      "zero_retention",
      "received_at",
      "project_id",
    ]);
  });

  it("seeds the demo world once, with rollups equal to the raw events", { timeout: 180_000 }, async () => {
    const d = db.handle().db;
    expect(await seedDemoWorld(d)).toBe(true);
    expect(await seedDemoWorld(d)).toBe(false);
    const [{ n: userCount }] = await d.select({ n: count() }).from(users);
    expect(userCount).toBe(DEMO_USERS.length);
    const orgs = await d.select().from(organizations).innerJoin(retentionStates, eq(retentionStates.orgId, organizations.id));
    const bySlug = Object.fromEntries(orgs.map((o) => [o.organizations.slug, o]));
    expect(bySlug["northwind-health"].retention_states.zdrStatus).toBe("active");
    expect(bySlug["contoso-bank"].retention_states.zdrStatus).toBe("requested");
    expect(bySlug["fabrikam-studio"].organizations.plan).toBe("free");

    const [raw] = await d.select({ n: count(), input: sql<string>`sum(${usageEvents.inputUnits})` }).from(usageEvents);
    const [hourly] = await d
      .select({ n: sql<string>`sum(${usageRollupsHourly.requests})`, input: sql<string>`sum(${usageRollupsHourly.inputUnits})` })
      .from(usageRollupsHourly);
    const [daily] = await d
      .select({ n: sql<string>`sum(${usageRollupsDaily.requests})`, input: sql<string>`sum(${usageRollupsDaily.inputUnits})` })
      .from(usageRollupsDaily);
    expect(raw.n).toBeGreaterThan(100_000);
    expect(Number(hourly.n)).toBe(raw.n);
    expect(Number(daily.n)).toBe(raw.n);
    expect(Number(hourly.input)).toBe(Number(raw.input));
    expect(Number(daily.input)).toBe(Number(raw.input));
    const [{ oldest }] = await d.select({ oldest: sql<string>`min(${usageEvents.occurredAt})` }).from(usageEvents);
    expect(Date.now() - new Date(oldest).getTime()).toBeGreaterThan(89 * 24 * 3600 * 1000);
  });

  it("keeps the audit log append-only and its chain verifiable", async () => {
    const d = db.handle().db;
    const report = await verifyAuditChain(d);
    // Three retention entries and the creation of the three demo projects.
    expect(report).toEqual({ ok: true, entries: 6 });
    await expect(d.execute(sql`update audit_log set reason = 'edited'`)).rejects.toThrow();
    await expect(d.execute(sql`delete from audit_log`)).rejects.toThrow();
    const [{ n }] = await d.select({ n: count() }).from(auditLog);
    expect(n).toBe(6);
  });
});
