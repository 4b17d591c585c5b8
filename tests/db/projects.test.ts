/**
 * Projects: admins create, rename, archive and tighten; members read; a
 * loosening is refused naming the org value that bounds it, and nothing
 * changes (no row, no audit entry, no notice). Usage by project: the demo
 * world's events carry project ids, the project rollups equal the raw events,
 * /usage's filter and breakdown and the CSV agree with them.
 */
import { and, eq, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "@/lib/db";
import { auditLog, notices, outbox, projects } from "@/lib/db/schema";
import { seedDemoWorld } from "@/lib/demo/seed";
import { loadUserPrincipalByEmail } from "@/lib/auth/load-principal";
import type { UserPrincipal } from "@/lib/auth/principal";
import { AppError } from "@/lib/errors";
import { archiveProject, createProject, getProject, listProjects, renameProject, updateProjectPolicy } from "@/lib/projects/service";
import { describeProjectPolicy } from "@/lib/projects/describe";
import { getUsageBreakdown, getUsageDashboard, getUsageTotals } from "@/lib/usage/queries";
import { usageCsvLines } from "@/lib/usage/csv";
import { testDbKind, withFreshDatabase } from "../helpers/db";

const db = withFreshDatabase();
const now = new Date();
let admin: UserPrincipal;
let member: UserPrincipal;
let contosoAdmin: UserPrincipal;
let northwind: string;
let contoso: string;

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return "ok";
  } catch (e) {
    if (e instanceof AppError) return e.code;
    throw e;
  }
}

const count = async (table: typeof auditLog | typeof notices, orgId: string) =>
  (
    await db
      .handle()
      .db.select({ n: sql<number>`count(*)::int` })
      .from(table)
      .where(eq(table.orgId, orgId))
  )[0].n;

beforeAll(async () => {
  const d = db.handle().db;
  await seedDemoWorld(d, { usage: true });
  admin = (await loadUserPrincipalByEmail(d, "admin@northwind.example"))!;
  member = (await loadUserPrincipalByEmail(d, "member@northwind.example"))!;
  contosoAdmin = (await loadUserPrincipalByEmail(d, "admin@contoso.example"))!;
  northwind = admin.orgId!;
  contoso = contosoAdmin.orgId!;
}, 180_000);

describe(`projects on ${testDbKind}`, () => {
  it("the demo world has Northwind's two projects and Contoso's contact center at 7 days (org: 30), in words", async () => {
    const d = db.handle().db;
    const nw = await listProjects(member, { orgId: northwind }, d);
    expect(nw.projects.map((p) => p.project.name)).toEqual(["Clinical dictation", "Patient hotline"]);
    const cb = await listProjects(contosoAdmin, { orgId: contoso }, d);
    const [center] = cb.projects;
    expect(center.project.name).toBe("Contact center");
    expect(center.policy.contentRetentionDays).toBe(7);
    expect(center.policy.sources.contentRetentionDays).toBe("project");
    expect(cb.orgPolicy.contentRetentionDays).toBe(30);
    const content = describeProjectPolicy(cb.orgPolicy, center.policy).find((l) => l.key === "contentRetentionDays")!;
    expect(content.sentence).toBe("Content: kept 7 days — set on this project; the organization keeps 30.");
    const training = describeProjectPolicy(cb.orgPolicy, center.policy).find((l) => l.key === "trainingUse")!;
    expect(training.sentence).toBe("Training use: never — the organization's setting.");
  });

  it("an admin creates a project, tightens it, and the change is audited, noticed, emailed and pushed to webhooks' outbox", async () => {
    const d = db.handle().db;
    const p = await createProject(admin, { orgId: northwind, name: "Radiology" }, d);
    expect(p.version).toBe(1);
    const audits = await count(auditLog, northwind);
    const noticesBefore = await count(notices, northwind);
    const emailsBefore = (await d.select({ n: sql<number>`count(*)::int` }).from(outbox))[0].n;
    const after = await updateProjectPolicy(
      admin,
      { orgId: northwind, projectId: p.id, expectedVersion: "1", contentRetentionDays: "7", cacheWindowSeconds: "", trainingUse: "never" },
      d,
    );
    expect(after).toMatchObject({ contentRetentionDays: 7, cacheWindowSeconds: null, trainingUse: false, version: 2 });
    expect(await count(auditLog, northwind)).toBe(audits + 1);
    const [entry] = await d
      .select()
      .from(auditLog)
      .where(eq(auditLog.orgId, northwind))
      .orderBy(sql`${auditLog.id} desc`)
      .limit(1);
    expect(entry).toMatchObject({ action: "project.policy_changed", actorType: "user", actorLabel: "admin@northwind.example" });
    expect(entry.before).toMatchObject({ contentRetentionDays: null, version: 1 });
    expect(entry.after).toMatchObject({ contentRetentionDays: 7, trainingUse: false, version: 2 });
    expect(await count(notices, northwind)).toBe(noticesBefore + 1);
    const [n] = await d
      .select()
      .from(notices)
      .where(and(eq(notices.orgId, northwind), eq(notices.auditId, entry.id)));
    expect(n.kind).toBe("project_changed");
    expect(n.body).toContain("Content: kept 7 days — set on this project; the organization keeps 30.");
    // One email per Northwind admin, in the same commit.
    expect((await d.select({ n: sql<number>`count(*)::int` }).from(outbox))[0].n).toBeGreaterThan(emailsBefore);

    const view = await getProject(member, { orgId: northwind, projectId: p.id }, d);
    expect(view.policy.contentRetentionDays).toBe(7);
    expect(view.policy.sources).toEqual({
      zdrScope: "organization",
      cacheWindowSeconds: "organization",
      contentRetentionDays: "project",
      trainingUse: "organization",
    });
    // Northwind's cache window is 0: nothing to tighten, so the org's value stands.
    expect(view.policy.cacheWindowSeconds).toBe(0);
  });

  it("loosening is refused with the org value that bounds it, and nothing changes", async () => {
    const d = db.handle().db;
    const p = await createProject(admin, { orgId: northwind, name: "Billing" }, d);
    const audits = await count(auditLog, northwind);
    const noticesBefore = await count(notices, northwind);
    let err: unknown;
    try {
      await updateProjectPolicy(admin, { orgId: northwind, projectId: p.id, contentRetentionDays: "60", cacheWindowSeconds: "120" }, d);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AppError);
    const e = err as AppError;
    expect(e.code).toBe("invalid");
    expect(e.message).toContain("can only tighten");
    const problems = e.details?.problems ?? [];
    expect(problems.map((x) => x.path).sort()).toEqual(["cacheWindowSeconds", "contentRetentionDays"]);
    expect(problems.find((x) => x.path === "contentRetentionDays")!.problem).toContain("at most 30 days, the organization's content retention");
    expect(problems.find((x) => x.path === "cacheWindowSeconds")!.problem).toContain("at most 0 seconds, the organization's cache window");
    const [row] = await d.select().from(projects).where(eq(projects.id, p.id));
    expect(row).toMatchObject({ contentRetentionDays: null, cacheWindowSeconds: null, version: 1 });
    expect(await count(auditLog, northwind)).toBe(audits);
    expect(await count(notices, northwind)).toBe(noticesBefore);
    // Training use can only be turned off: any other value is not even a choice.
    expect(await codeOf(updateProjectPolicy(admin, { orgId: northwind, projectId: p.id, trainingUse: "allowed" as "never" }, d))).toBe("invalid");
    // A number that is not one names its field.
    await expect(updateProjectPolicy(admin, { orgId: northwind, projectId: p.id, contentRetentionDays: "seven" }, d)).rejects.toMatchObject({
      details: { problems: [{ path: "contentRetentionDays" }] },
    });
  });

  it("a member reads but cannot change; another org's admin cannot even see it; a stale version is a conflict", async () => {
    const d = db.handle().db;
    const p = await createProject(admin, { orgId: northwind, name: "Triage" }, d);
    expect(await codeOf(createProject(member, { orgId: northwind, name: "Nope" }, d))).toBe("forbidden");
    expect(await codeOf(updateProjectPolicy(member, { orgId: northwind, projectId: p.id, contentRetentionDays: "1" }, d))).toBe("forbidden");
    expect(await codeOf(renameProject(member, { orgId: northwind, projectId: p.id, name: "X" }, d))).toBe("forbidden");
    expect(await codeOf(archiveProject(member, { orgId: northwind, projectId: p.id }, d))).toBe("forbidden");
    expect(await codeOf(getProject(member, { orgId: northwind, projectId: p.id }, d))).toBe("ok");
    expect(await codeOf(getProject(contosoAdmin, { orgId: northwind, projectId: p.id }, d))).toBe("not_found");
    // Contoso's admin naming Northwind's project under Contoso's own org: still unknown.
    expect(await codeOf(getProject(contosoAdmin, { orgId: contoso, projectId: p.id }, d))).toBe("not_found");
    expect(await codeOf(updateProjectPolicy(contosoAdmin, { orgId: contoso, projectId: p.id, contentRetentionDays: "1" }, d))).toBe("not_found");
    await renameProject(admin, { orgId: northwind, projectId: p.id, name: "Triage desk", expectedVersion: 1 }, d);
    expect(await codeOf(renameProject(admin, { orgId: northwind, projectId: p.id, name: "Again", expectedVersion: 1 }, d))).toBe("conflict");
    // Names are unique among an org's active projects.
    expect(await codeOf(createProject(admin, { orgId: northwind, name: "triage DESK" }, d))).toBe("invalid");
    const archived = await archiveProject(admin, { orgId: northwind, projectId: p.id }, d);
    expect(archived.archivedAt).not.toBeNull();
    expect(await codeOf(updateProjectPolicy(admin, { orgId: northwind, projectId: p.id, contentRetentionDays: "1" }, d))).toBe("conflict");
    const actions = await d
      .select({ action: auditLog.action })
      .from(auditLog)
      .where(sql`${auditLog.after}->>'projectId' = ${p.id}`);
    expect(actions.map((a) => a.action)).toEqual(["project.created", "project.renamed", "project.archived"]);
  });

  it("a project never loosens even when the org later tightens below it (strictest wins)", async () => {
    const d = db.handle().db;
    const p = await createProject(contosoAdmin, { orgId: contoso, name: "Cards" }, d);
    await updateProjectPolicy(contosoAdmin, { orgId: contoso, projectId: p.id, contentRetentionDays: "20" }, d);
    await d.execute(sql`update retention_states set content_retention_days = 10, version = version + 1 where org_id = ${contoso}`);
    const view = await getProject(contosoAdmin, { orgId: contoso, projectId: p.id }, d);
    expect(view.policy.contentRetentionDays).toBe(10);
    expect(view.policy.sources.contentRetentionDays).toBe("organization");
    await d.execute(sql`update retention_states set content_retention_days = 30, version = version + 1 where org_id = ${contoso}`);
  });
});

describe(`usage by project on ${testDbKind}`, () => {
  it("seeded events carry the demo projects' ids, and the project rollups equal the raw events", async () => {
    const d = db.handle().db;
    const raw = await queryRows<{ project_id: string; n: number; input: number }>(
      d,
      sql`select coalesce(project_id::text, '') as project_id, count(*)::float8 as n, sum(input_units)::float8 as input from usage_events where org_id = ${northwind} group by 1 order by 1`,
    );
    const rolled = await queryRows<{ project_id: string; n: number; input: number }>(
      d,
      sql`select project_id, sum(requests)::float8 as n, sum(input_units)::float8 as input from usage_rollups_daily where org_id = ${northwind} group by 1 order by 1`,
    );
    expect(raw.length).toBe(3); // two projects and "no project"
    expect(rolled.map((r) => ({ ...r, n: Number(r.n), input: Number(r.input) }))).toEqual(raw.map((r) => ({ ...r, n: Number(r.n), input: Number(r.input) })));
  });

  it("the project filter and breakdown of /usage agree with the raw events, and the CSV has the project", async () => {
    const d = db.handle().db;
    const { projects: list } = await listProjects(admin, { orgId: northwind }, d);
    const clinical = list.find((p) => p.project.name === "Clinical dictation")!.project;
    const range = { key: "30d" as const };
    const all = await getUsageTotals(admin, { orgId: northwind, range, now }, d);
    const only = await getUsageTotals(admin, { orgId: northwind, range, now, projectId: clinical.id }, d);
    expect(only.context.project).toEqual({ id: clinical.id, name: "Clinical dictation" });
    expect(only.current.requests).toBeGreaterThan(0);
    expect(only.current.requests).toBeLessThan(all.current.requests);
    const r = all.context.range.current;
    const [raw] = await queryRows<{ n: number }>(
      d,
      sql`select count(*)::float8 as n from usage_events where org_id = ${northwind} and project_id = ${clinical.id}
          and (occurred_at at time zone ${all.context.timeZone})::date between ${r.from}::date and ${r.to}::date`,
    );
    expect(only.current.requests).toBe(Number(raw.n));

    const { rows } = await getUsageBreakdown(admin, { orgId: northwind, range, now, dimension: "project" }, d);
    expect(rows.map((x) => x.label).sort()).toEqual(["Clinical dictation", "No project", "Patient hotline"]);
    expect(rows.reduce((a, x) => a + x.requests, 0)).toBe(all.current.requests);
    expect(rows.find((x) => x.key === clinical.id)!.requests).toBe(only.current.requests);

    const filtered = await getUsageBreakdown(admin, { orgId: northwind, range, now, dimension: "project", projectId: clinical.id }, d);
    expect(filtered.rows.map((x) => x.key)).toEqual([clinical.id]);

    const csv = [...usageCsvLines(await getUsageDashboard(admin, { orgId: northwind, range, now }, d))].join("");
    expect(csv).toContain(`\r\n${clinical.id},Clinical dictation,${only.current.requests},`);
    const csvOne = [...usageCsvLines(await getUsageDashboard(admin, { orgId: northwind, range, now, projectId: clinical.id }, d))].join("");
    expect(csvOne).toContain(`project,Clinical dictation (${clinical.id})`);
  });

  it("filtering by another org's project, or by something that is not a project, is 404", async () => {
    const d = db.handle().db;
    const { projects: theirs } = await listProjects(contosoAdmin, { orgId: contoso }, d);
    expect(await codeOf(getUsageTotals(admin, { orgId: northwind, range: { key: "7d" }, now, projectId: theirs[0].project.id }, d))).toBe("not_found");
    expect(await codeOf(getUsageTotals(admin, { orgId: northwind, range: { key: "7d" }, now, projectId: "'; drop table usage_events; --" }, d))).toBe(
      "not_found",
    );
  });
});
