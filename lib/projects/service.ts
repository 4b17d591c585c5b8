/**
 * Projects of an organization: admins create, rename, archive and tighten
 * their retention; members read. A project's settings may only tighten its
 * organization's (strictest wins); an attempt to loosen is refused with the
 * org value that bounds it, and nothing changes.
 *
 * Every change commits the project row, an audit entry, a notice for the
 * org (with emails to its admins for retention changes) and, for a policy
 * change, the `project.policy_changed` webhook, in one transaction. The
 * projects table's trigger (drizzle/0020) announces the change, so every
 * instance drops its cached policy and the policy stream pushes it.
 */
import { and, asc, eq, isNull, sql } from "drizzle-orm";
import { z } from "zod";
import { getDb, type Db, type Tx } from "@/lib/db";
import { notices, organizations, projects, retentionStates } from "@/lib/db/schema";
import { appendAudit, type AuditInput } from "@/lib/audit/chain";
import { authorize } from "@/lib/auth/permissions";
import type { Principal } from "@/lib/auth/principal";
import { AppError, notFound, parseInput, ValidationError, type FieldProblem } from "@/lib/errors";
import { env } from "@/lib/env";
import { composeNotice, type ProjectNoticeContext } from "@/lib/notify/compose";
import { enqueueNoticeEmails } from "@/lib/notify/outbox";
import { kickOutbox } from "@/lib/notify/worker";
import { effectivePolicy, type EffectivePolicy, type ProjectRow, type RetentionStateRow } from "@/lib/retention/policy";
import { enqueueWebhookEvent } from "@/lib/webhooks/service";
import type { Plan } from "@/lib/vocabulary";
import { summarizeProjectPolicy } from "./describe";

export type { ProjectRow };

/** At most this many projects that are not archived, per org: a bound on what every page and the fleet track. */
export const MAX_ACTIVE_PROJECTS = 100;

const ProjectName = z
  .string({ error: "Enter a name" })
  .trim()
  .min(1, "Enter a name")
  .max(80, "must be at most 80 characters")
  .regex(/^[^\u0000-\u001f]*$/, "must not contain control characters");

/** A version the page showed: a number, or its text on a form (checked as text first). */
const Version = z.union([
  z.int().positive(),
  z
    .string()
    .regex(/^\d{1,9}$/, "The page is out of date; reload it")
    .transform(Number),
]);

/** An optional whole number from a form: blank means "the organization's value". */
const optionalWhole = (max: number, unit: string) =>
  z.union([
    z.null(),
    z.int().min(0, `must be 0 or more ${unit}`).max(max, `must be at most ${max} ${unit}`),
    z
      .string()
      .trim()
      .transform((v, ctx) => {
        if (v === "") return null;
        if (!/^\d{1,9}$/.test(v)) {
          ctx.addIssue({ code: "custom", message: `enter a whole number of ${unit}, or leave it blank for the organization's value` });
          return z.NEVER;
        }
        const n = Number(v);
        if (n > max) {
          ctx.addIssue({ code: "custom", message: `must be at most ${max} ${unit}` });
          return z.NEVER;
        }
        return n;
      }),
  ]);

/** A checkbox on a form ("on"/"true" when ticked, absent otherwise), or a boolean. */
const Checkbox = z.union([z.boolean(), z.enum(["on", "true", "false", ""]).transform((v) => v === "on" || v === "true")]);

export const CreateProjectInput = z.object({ orgId: z.uuid(), name: ProjectName });
export const RenameProjectInput = z.object({
  orgId: z.uuid(),
  projectId: z.uuid({ error: "Unknown project" }),
  name: ProjectName,
  expectedVersion: Version.optional(),
});
export const ArchiveProjectInput = z.object({ orgId: z.uuid(), projectId: z.uuid({ error: "Unknown project" }), expectedVersion: Version.optional() });
export const ProjectPolicyInput = z.object({
  orgId: z.uuid(),
  projectId: z.uuid({ error: "Unknown project" }),
  expectedVersion: Version.optional(),
  zdrAllRequests: Checkbox.optional().default(false),
  cacheWindowSeconds: optionalWhole(3600, "seconds").optional().default(null),
  contentRetentionDays: optionalWhole(3650, "days").optional().default(null),
  /** "inherit" (the organization's) or "never": a project can only turn training use off. */
  trainingUse: z.enum(["inherit", "never"], { error: "Choose the organization's setting or never" }).optional().default("inherit"),
});
export type CreateProjectInput = z.input<typeof CreateProjectInput>;
export type RenameProjectInput = z.input<typeof RenameProjectInput>;
export type ArchiveProjectInput = z.input<typeof ArchiveProjectInput>;
export type ProjectPolicyInput = z.input<typeof ProjectPolicyInput>;

type OrgContext = { orgId: string; orgName: string; timeZone: string; plan: Plan; state: RetentionStateRow };

function auditActor(actor: Principal): Pick<AuditInput, "actorType" | "actorId" | "actorLabel"> {
  if (actor.kind === "user") return { actorType: actor.isSupport ? "support" : "user", actorId: actor.userId, actorLabel: actor.email };
  if (actor.kind === "service") return { actorType: "service", actorId: actor.tokenId, actorLabel: actor.name };
  return { actorType: "system", actorId: null, actorLabel: actor.name };
}

/** What the audit trail records of a project: its name, state and overrides, not bookkeeping. */
export function projectAuditView(p: ProjectRow) {
  return {
    projectId: p.id,
    name: p.name,
    archived: p.archivedAt !== null,
    zdrAllRequests: p.zdrAllRequests,
    cacheWindowSeconds: p.cacheWindowSeconds,
    contentRetentionDays: p.contentRetentionDays,
    trainingUse: p.trainingUse,
    version: p.version,
  };
}

async function orgContext(tx: Tx, orgId: string, lock: boolean): Promise<OrgContext> {
  const q = tx
    .select({ orgName: organizations.name, timeZone: organizations.timeZone, plan: organizations.plan, state: retentionStates })
    .from(organizations)
    .innerJoin(retentionStates, eq(retentionStates.orgId, organizations.id))
    .where(eq(organizations.id, orgId));
  // Shared lock: the org's retention cannot change under a project's tightening check (support's changes take FOR UPDATE).
  const [row] = lock ? await q.for("share", { of: retentionStates }) : await q;
  if (!row) throw notFound("Organization not found");
  return { orgId, orgName: row.orgName, timeZone: row.timeZone, plan: row.plan, state: row.state };
}

async function lockProject(tx: Tx, orgId: string, projectId: string, expectedVersion: number | undefined): Promise<ProjectRow> {
  const [p] = await tx
    .select()
    .from(projects)
    .where(and(eq(projects.id, projectId), eq(projects.orgId, orgId)))
    .for("update");
  // Another organization's project is as unknown as one that does not exist.
  if (!p) throw notFound("Project not found");
  if (expectedVersion !== undefined && p.version !== expectedVersion) {
    throw new AppError(
      "conflict",
      `Someone else changed the project ${p.name} (you saw version ${expectedVersion}, it is now ${p.version}). Review it and try again.`,
      {
        current: projectAuditView(p),
      },
    );
  }
  if (p.archivedAt) throw new AppError("conflict", `The project ${p.name} is archived; it can no longer be changed.`);
  return p;
}

type ProjectChange = { action: string; change: ProjectNoticeContext["change"]; before: ProjectRow | null; after: ProjectRow; summary?: string; email: boolean };

/** Audit, notice, emails and webhook of a project change, in the caller's transaction. */
async function recordProjectChangeIn(tx: Tx, actor: Principal, org: OrgContext, c: ProjectChange): Promise<{ auditId: number; noticeId: string }> {
  const audit = await appendAudit(tx, {
    orgId: org.orgId,
    ...auditActor(actor),
    action: c.action,
    before: c.before ? projectAuditView(c.before) : null,
    after: projectAuditView(c.after),
    reason: null,
    ticketRef: null,
  });
  const orgPolicy = effectivePolicy(org.plan, org.state);
  const projectPolicy = effectivePolicy(org.plan, org.state, c.after);
  const now = new Date();
  const notice = composeNotice("project_changed", {
    orgName: org.orgName,
    effectiveAt: now,
    timeZone: org.timeZone,
    contentRetentionDays: projectPolicy.contentRetentionDays,
    trainingUse: projectPolicy.trainingUse,
    ticketRef: null,
    project: {
      projectId: c.after.id,
      name: c.after.name,
      change: c.change,
      summary: c.summary ?? summarizeProjectPolicy(orgPolicy, projectPolicy),
      trafficImpact:
        c.change === "archived"
          ? "Events that still name the project are accepted and counted; its settings stay as they were."
          : summarizeProjectPolicy(orgPolicy, projectPolicy),
    },
  });
  const [n] = await tx
    .insert(notices)
    .values({ orgId: org.orgId, kind: notice.kind, title: notice.title, body: notice.body, details: notice.details, auditId: audit.id, createdAt: now })
    .returning({ id: notices.id });
  if (c.email) await enqueueNoticeEmails(tx, { orgId: org.orgId, noticeId: n.id, notice, appUrl: env().APP_URL });
  if (c.action === "project.policy_changed") {
    await enqueueWebhookEvent(tx, {
      orgId: org.orgId,
      type: "project.policy_changed",
      data: {
        orgId: org.orgId,
        projectId: c.after.id,
        zdrScope: projectPolicy.zdr.scope,
        zdrHonoured: projectPolicy.zdr.honoured,
        cacheWindowSeconds: projectPolicy.cacheWindowSeconds,
        contentRetentionDays: projectPolicy.contentRetentionDays,
        trainingUse: projectPolicy.trainingUse,
        version: projectPolicy.version,
        auditId: audit.id,
        effectiveAt: now.toISOString(),
      },
    });
  }
  return { auditId: audit.id, noticeId: n.id };
}

/** An admin creates a project; it starts with the organization's settings. */
export async function createProject(actor: Principal | null, input: CreateProjectInput, db: Db = getDb()): Promise<ProjectRow> {
  const i = parseInput(CreateProjectInput, input);
  authorize(actor, "projects.manage", { orgId: i.orgId });
  const row = await db.transaction(async (tx) => {
    const org = await orgContext(tx, i.orgId, true);
    // The org row lock orders concurrent creates, so the count and the name check hold.
    await tx.select({ id: organizations.id }).from(organizations).where(eq(organizations.id, i.orgId)).for("update");
    const active = await tx
      .select({ name: projects.name })
      .from(projects)
      .where(and(eq(projects.orgId, i.orgId), isNull(projects.archivedAt)));
    if (active.some((p) => p.name.toLowerCase() === i.name.toLowerCase())) {
      throw new ValidationError(`${org.orgName} already has a project named ${i.name}.`, [
        { path: "name", problem: "another project of this organization has this name" },
      ]);
    }
    if (active.length >= MAX_ACTIVE_PROJECTS)
      throw new AppError("conflict", `${org.orgName} has ${MAX_ACTIVE_PROJECTS} projects; archive one before creating another.`);
    const [p] = await tx.insert(projects).values({ orgId: i.orgId, name: i.name }).returning();
    await recordProjectChangeIn(tx, actor, org, { action: "project.created", change: "created", before: null, after: p, email: false });
    return p;
  });
  kickOutbox();
  return row;
}

export async function renameProject(actor: Principal | null, input: RenameProjectInput, db: Db = getDb()): Promise<ProjectRow> {
  const i = parseInput(RenameProjectInput, input);
  authorize(actor, "projects.manage", { orgId: i.orgId });
  const row = await db.transaction(async (tx) => {
    const org = await orgContext(tx, i.orgId, false);
    const before = await lockProject(tx, i.orgId, i.projectId, i.expectedVersion);
    if (before.name === i.name)
      throw new ValidationError("That is already the project's name; nothing was changed.", [{ path: "name", problem: "is the current name" }]);
    const clash = await tx
      .select({ id: projects.id })
      .from(projects)
      .where(
        and(eq(projects.orgId, i.orgId), isNull(projects.archivedAt), sql`lower(${projects.name}) = lower(${i.name})`, sql`${projects.id} <> ${i.projectId}`),
      );
    if (clash.length)
      throw new ValidationError(`${org.orgName} already has a project named ${i.name}.`, [
        { path: "name", problem: "another project of this organization has this name" },
      ]);
    const [after] = await tx
      .update(projects)
      .set({ name: i.name, version: sql`${projects.version} + 1` })
      .where(eq(projects.id, before.id))
      .returning();
    await recordProjectChangeIn(tx, actor, org, {
      action: "project.renamed",
      change: "renamed",
      before,
      after,
      summary: `It was called ${before.name}; its retention settings are unchanged.`,
      email: false,
    });
    return after;
  });
  kickOutbox();
  return row;
}

export async function archiveProject(actor: Principal | null, input: ArchiveProjectInput, db: Db = getDb()): Promise<ProjectRow> {
  const i = parseInput(ArchiveProjectInput, input);
  authorize(actor, "projects.manage", { orgId: i.orgId });
  const row = await db.transaction(async (tx) => {
    const org = await orgContext(tx, i.orgId, false);
    const before = await lockProject(tx, i.orgId, i.projectId, i.expectedVersion);
    const [after] = await tx
      .update(projects)
      .set({ archivedAt: new Date(), version: sql`${projects.version} + 1` })
      .where(eq(projects.id, before.id))
      .returning();
    await recordProjectChangeIn(tx, actor, org, {
      action: "project.archived",
      change: "archived",
      before,
      after,
      summary: "It no longer appears among the active projects; its usage history stays.",
      email: true,
    });
    return after;
  });
  kickOutbox();
  return row;
}

/**
 * What a project may set, given its organization's state: each problem names
 * the field and the org value that bounds it. Empty when the overrides only
 * tighten (or leave) the org's values.
 */
export function looseningProblems(
  plan: Plan,
  state: RetentionStateRow,
  o: { cacheWindowSeconds: number | null; contentRetentionDays: number | null },
): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const org = effectivePolicy(plan, state);
  if (o.cacheWindowSeconds != null && o.cacheWindowSeconds > org.cacheWindowSeconds) {
    problems.push({
      path: "cacheWindowSeconds",
      problem: `can be at most ${org.cacheWindowSeconds} seconds, the organization's cache window; a project can only shorten it`,
    });
  }
  if (o.contentRetentionDays != null && o.contentRetentionDays > org.contentRetentionDays) {
    problems.push({
      path: "contentRetentionDays",
      problem: `can be at most ${org.contentRetentionDays} days, the organization's content retention; a project can only shorten it`,
    });
  }
  return problems;
}

/** An admin tightens (or relaxes back towards the org's values) a project's retention; a value looser than the org's is refused. */
export async function updateProjectPolicy(actor: Principal | null, input: ProjectPolicyInput, db: Db = getDb()): Promise<ProjectRow> {
  const i = parseInput(ProjectPolicyInput, input);
  authorize(actor, "projects.manage", { orgId: i.orgId });
  const row = await db.transaction(async (tx) => {
    const org = await orgContext(tx, i.orgId, true);
    const before = await lockProject(tx, i.orgId, i.projectId, i.expectedVersion);
    const problems = looseningProblems(org.plan, org.state, i);
    if (problems.length) {
      throw new ValidationError(
        `A project can only tighten ${org.orgName}'s retention, never loosen it; nothing was changed. ${problems.map((p) => `${p.path} ${p.problem}.`).join(" ")}`,
        problems,
      );
    }
    const set = {
      zdrAllRequests: i.zdrAllRequests,
      cacheWindowSeconds: i.cacheWindowSeconds,
      contentRetentionDays: i.contentRetentionDays,
      trainingUse: i.trainingUse === "never" ? false : null,
    };
    if (
      set.zdrAllRequests === before.zdrAllRequests &&
      set.cacheWindowSeconds === before.cacheWindowSeconds &&
      set.contentRetentionDays === before.contentRetentionDays &&
      set.trainingUse === before.trainingUse
    ) {
      throw new AppError("invalid", "These are already the project's settings; nothing was changed.");
    }
    const [after] = await tx
      .update(projects)
      .set({ ...set, version: sql`${projects.version} + 1` })
      .where(eq(projects.id, before.id))
      .returning();
    await recordProjectChangeIn(tx, actor, org, { action: "project.policy_changed", change: "policy_changed", before, after, email: true });
    return after;
  });
  kickOutbox();
  return row;
}

export type ProjectView = { project: ProjectRow; policy: EffectivePolicy };

/** The org's projects (active first, by name), each with its effective policy. */
export async function listProjects(
  actor: Principal | null,
  input: { orgId: string; includeArchived?: boolean },
  db: Tx = getDb(),
): Promise<{ orgPolicy: EffectivePolicy; projects: ProjectView[] }> {
  authorize(actor, "projects.read", { orgId: input.orgId });
  const org = await orgContext(db, input.orgId, false);
  const rows = await db
    .select()
    .from(projects)
    .where(and(eq(projects.orgId, input.orgId), input.includeArchived === false ? isNull(projects.archivedAt) : undefined))
    .orderBy(sql`${projects.archivedAt} is not null`, asc(projects.name));
  return {
    orgPolicy: effectivePolicy(org.plan, org.state),
    projects: rows.map((p) => ({ project: p, policy: effectivePolicy(org.plan, org.state, p) })),
  };
}

/** One project with its effective policy and the org's; another org's project is 404. */
export async function getProject(
  actor: Principal | null,
  input: { orgId: string; projectId: string },
  db: Tx = getDb(),
): Promise<ProjectView & { orgPolicy: EffectivePolicy; orgName: string }> {
  authorize(actor, "projects.read", { orgId: input.orgId });
  if (!z.uuid().safeParse(input.projectId).success) throw notFound("Project not found");
  const org = await orgContext(db, input.orgId, false);
  const [p] = await db
    .select()
    .from(projects)
    .where(and(eq(projects.id, input.projectId), eq(projects.orgId, input.orgId)));
  if (!p) throw notFound("Project not found");
  return { project: p, policy: effectivePolicy(org.plan, org.state, p), orgPolicy: effectivePolicy(org.plan, org.state), orgName: org.orgName };
}
