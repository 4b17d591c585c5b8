/**
 * Monthly retention statements: per org and calendar month (in the org's
 * time zone), a JWS (lib/signing) stating the retention state over the month
 * with each change, the ZDR coverage, the requests served under ZDR and not,
 * the removals completed with their certificates, and the signed checkpoint
 * of the audit log it derives from. Issued once, after the month ends, and
 * emailed to the org's admins in the same transaction; verified by /verify
 * and `npm run verify` like every document we sign.
 */
import { and, asc, desc, eq, gte, isNotNull, lt, sql } from "drizzle-orm";
import { authorize } from "@/lib/auth/permissions";
import type { Principal } from "@/lib/auth/principal";
import { getDb, queryRows, type Db, type Tx } from "@/lib/db";
import { auditLog, organizations, removalRequests, retentionStatements, retentionStates } from "@/lib/db/schema";
import { coverageWithin, type CoverageInterval } from "@/lib/audit/coverage";
import { latestCheckpoint } from "@/lib/audit/tree";
import { jwks, signDocument, type Jwks } from "@/lib/signing";
import { env } from "@/lib/env";
import { AppError, notFound, ValidationError } from "@/lib/errors";
import { enqueueEmail, orgAdmins } from "@/lib/notify/outbox";
import { effectivePolicy } from "@/lib/retention/policy";
import { countRequests, orgCoverage } from "@/lib/retention/coverage";
import type { Plan } from "@/lib/vocabulary";

export const STATEMENT_TYP = "zdr-retention-statement+jws";
export const STATEMENT_FILE_TYPE = "zdr_retention_statement";
const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

type StateView = { zdrStatus: string; zdrScope: string | null; restriction: string; honoured: boolean };

export type RetentionStatement = {
  type: "retention_statement";
  version: 1;
  orgId: string;
  orgName: string;
  month: string;
  timeZone: string;
  period: { from: string; to: string };
  issuedAt: string;
  /** The retention state when the month began and ended, and every change in it, from the audit log. */
  policy: {
    atStart: StateView;
    atEnd: StateView;
    changes: Array<{ at: string; action: string; orgSeq: number; auditHash: string; reason: string | null; ticketRef: string | null } & StateView>;
    /** The month's other audited changes (projects' policies, removals, …): each with its time and its entry in the log. */
    otherChanges: Array<{ at: string; action: string; orgSeq: number; auditHash: string }>;
    /** The settings in force when the statement was issued (changes to them are not audited per month). */
    settingsAtIssue: { cacheWindowSeconds: number; contentRetentionDays: number; trainingUse: boolean };
  };
  coverage: CoverageInterval[];
  /** From the usage metadata the fleet reported: each event says whether it was served with zero retention. */
  requests: { total: number; underZdr: number; withoutZdr: number };
  removals: Array<{ requestId: string; completedAt: string; scope: string; fromDay: string; toDay: string; certificate: string; auditHash: string | null }>;
  /** The signed checkpoint of the org's audit log this statement derives from (every change above is a leaf of it). */
  checkpoint: { treeSize: number; rootHash: string; timestamp: string; jws: string } | null;
};

export type StatementFile = { type: typeof STATEMENT_FILE_TYPE; orgId: string; month: string; statement: string; jwks: Jwks };

function stateView(after: unknown, prev: StateView): StateView | null {
  if (!after || typeof after !== "object") return null;
  const a = after as Record<string, unknown>;
  if (typeof a.zdrStatus !== "string") return null;
  const restriction = typeof a.restriction === "string" ? a.restriction : prev.restriction;
  const zdrScope = typeof a.zdrScope === "string" ? a.zdrScope : prev.zdrScope;
  return { zdrStatus: a.zdrStatus, zdrScope, restriction, honoured: a.zdrStatus === "active" && restriction !== "restricted" };
}

export function parseMonth(month: string): string {
  if (!MONTH.test(month)) throw new ValidationError("month: must be YYYY-MM", [{ path: "month", problem: "must be YYYY-MM" }]);
  return month;
}

/** The instants the org's calendar month covers, [from, to). */
async function monthBounds(db: Tx, month: string, timeZone: string): Promise<{ from: string; to: string }> {
  const [row] = await queryRows<{ from: Date | string; to: Date | string }>(
    db,
    sql`select ((${month} || '-01')::date::timestamp at time zone ${timeZone}) as "from",
               (((${month} || '-01')::date + interval '1 month')::timestamp at time zone ${timeZone}) as "to"`,
  );
  return { from: new Date(row.from).toISOString(), to: new Date(row.to).toISOString() };
}

/** Builds (does not sign or store) the statement of an org's month from the audit log, usage metadata and removals. */
export async function buildStatement(tx: Tx, orgId: string, month: string, now = new Date()): Promise<RetentionStatement> {
  parseMonth(month);
  const [org] = await tx
    .select({ name: organizations.name, timeZone: organizations.timeZone, plan: organizations.plan, state: retentionStates })
    .from(organizations)
    .innerJoin(retentionStates, eq(retentionStates.orgId, organizations.id))
    .where(eq(organizations.id, orgId));
  if (!org) throw notFound("Organization not found");
  const period = await monthBounds(tx, month, org.timeZone);

  const entries = await tx
    .select({
      orgSeq: auditLog.orgSeq,
      action: auditLog.action,
      after: auditLog.after,
      createdAt: auditLog.createdAt,
      hash: auditLog.hash,
      reason: auditLog.reason,
      ticketRef: auditLog.ticketRef,
    })
    .from(auditLog)
    .where(and(eq(auditLog.orgId, orgId), isNotNull(auditLog.orgSeq), lt(auditLog.createdAt, new Date(period.to))))
    .orderBy(asc(auditLog.orgSeq));
  let state: StateView = { zdrStatus: "off", zdrScope: null, restriction: "none", honoured: false };
  let atStart = state;
  const changes: RetentionStatement["policy"]["changes"] = [];
  const otherChanges: RetentionStatement["policy"]["otherChanges"] = [];
  for (const e of entries) {
    const next = stateView(e.after, state);
    if (!next) {
      if (e.createdAt.toISOString() >= period.from)
        otherChanges.push({ at: e.createdAt.toISOString(), action: e.action, orgSeq: Number(e.orgSeq), auditHash: e.hash });
      continue;
    }
    state = next;
    if (e.createdAt.toISOString() < period.from) atStart = next;
    else
      changes.push({
        at: e.createdAt.toISOString(),
        action: e.action,
        orgSeq: Number(e.orgSeq),
        auditHash: e.hash,
        reason: e.reason,
        ticketRef: e.ticketRef,
        ...next,
      });
  }

  const counts = await countRequests(tx, orgId, period.from, period.to);
  const removed = await tx
    .select({
      id: removalRequests.id,
      completedAt: removalRequests.finishedAt,
      scope: removalRequests.scope,
      fromDay: removalRequests.fromDay,
      toDay: removalRequests.toDay,
      lastAuditId: removalRequests.lastAuditId,
      auditHash: auditLog.hash,
    })
    .from(removalRequests)
    .leftJoin(auditLog, eq(auditLog.id, removalRequests.lastAuditId))
    .where(
      and(
        eq(removalRequests.orgId, orgId),
        eq(removalRequests.status, "completed"),
        gte(removalRequests.finishedAt, new Date(period.from)),
        lt(removalRequests.finishedAt, new Date(period.to)),
      ),
    )
    .orderBy(asc(removalRequests.finishedAt));
  const cp = await latestCheckpoint(tx, orgId);
  const policy = effectivePolicy(org.plan as Plan, org.state);
  const appUrl = env().APP_URL.replace(/\/$/, "");
  return {
    type: "retention_statement",
    version: 1,
    orgId,
    orgName: org.name,
    month,
    timeZone: org.timeZone,
    period,
    issuedAt: now.toISOString(),
    policy: {
      atStart,
      atEnd: state,
      changes,
      otherChanges,
      settingsAtIssue: { cacheWindowSeconds: policy.cacheWindowSeconds, contentRetentionDays: policy.contentRetentionDays, trainingUse: policy.trainingUse },
    },
    coverage: coverageWithin(await orgCoverage(tx, orgId), period.from, period.to),
    requests: { total: counts.requests, underZdr: counts.requests - counts.withoutZdr, withoutZdr: counts.withoutZdr },
    removals: removed.map((r) => ({
      requestId: r.id,
      completedAt: r.completedAt!.toISOString(),
      scope: r.scope,
      fromDay: r.fromDay,
      toDay: r.toDay,
      certificate: `${appUrl}/data-removal/${r.id}/certificate`,
      auditHash: r.auditHash ?? null,
    })),
    checkpoint: cp ? { treeSize: cp.treeSize, rootHash: cp.rootHash, timestamp: cp.timestamp, jws: cp.jws } : null,
  };
}

function statementEmail(s: RetentionStatement, name: string, appUrl: string) {
  const link = `${appUrl.replace(/\/$/, "")}/retention#statements-title`;
  const lines = [
    `Hello ${name},`,
    "",
    `The signed retention statement of ${s.orgName} for ${s.month} is ready.`,
    "",
    `Requests: ${s.requests.total} (${s.requests.underZdr} under Zero Data Retention, ${s.requests.withoutZdr} without).`,
    `Retention changes in the month: ${s.policy.changes.length}. Removals completed: ${s.removals.length}.`,
    "",
    `Download it and verify it on /verify or with npm run verify: ${link}`,
    "",
    "You receive this email because you are an administrator of this organization in ZDR Console.",
  ];
  const esc = (t: string) => t.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  return {
    subject: `[ZDR Console] Retention statement for ${s.month}`,
    text: lines.join("\n"),
    html: `<!doctype html><html><body style="font-family:system-ui,sans-serif;color:#0f172a">${lines.map((l) => (l ? `<p>${esc(l)}</p>` : "")).join("")}</body></html>`,
  };
}

/**
 * Issues the statement of one org's month, once: signs it, stores it and
 * queues one email per admin in one transaction. A month not yet over is
 * refused; a second call returns the stored one and sends nothing.
 */
export async function issueStatement(db: Db, input: { orgId: string; month: string }, now = new Date()): Promise<{ jws: string; issued: boolean }> {
  parseMonth(input.month);
  return db.transaction(async (tx) => {
    const [existing] = await tx
      .select()
      .from(retentionStatements)
      .where(and(eq(retentionStatements.orgId, input.orgId), eq(retentionStatements.month, input.month)));
    if (existing) return { jws: existing.jws, issued: false };
    const statement = await buildStatement(tx, input.orgId, input.month, now);
    if (statement.period.to > now.toISOString()) throw new AppError("conflict", `The month ${input.month} is not over yet in the organization's time zone.`);
    const jws = await signDocument(statement, { typ: STATEMENT_TYP });
    const inserted = await tx
      .insert(retentionStatements)
      .values({ orgId: input.orgId, month: input.month, jws, issuedAt: now })
      .onConflictDoNothing()
      .returning({ month: retentionStatements.month });
    if (inserted.length === 0) {
      const [row] = await tx
        .select()
        .from(retentionStatements)
        .where(and(eq(retentionStatements.orgId, input.orgId), eq(retentionStatements.month, input.month)));
      return { jws: row.jws, issued: false };
    }
    const appUrl = env().APP_URL;
    for (const a of await orgAdmins(tx, input.orgId)) {
      await enqueueEmail(tx, {
        to: a.email,
        recipientUserId: a.userId,
        orgId: input.orgId,
        messageId: `<statement-${input.orgId}-${input.month}.${a.userId}@${new URL(appUrl).hostname || "zdr-console.local"}>`,
        ...statementEmail(statement, a.name, appUrl),
      });
    }
    return { jws, issued: true };
  });
}

/** Issues every org's statement for its previous calendar month that is not issued yet; returns how many. */
export async function issueDueStatements(db: Db, now = new Date()): Promise<number> {
  const due = await queryRows<{ id: string; month: string }>(
    db,
    sql`select o.id, to_char(date_trunc('month', ${now.toISOString()}::timestamptz at time zone o.time_zone) - interval '1 month', 'YYYY-MM') as month
        from organizations o
        where o.created_at < (date_trunc('month', ${now.toISOString()}::timestamptz at time zone o.time_zone)::timestamp at time zone o.time_zone)
          and not exists (
            select 1 from retention_statements s where s.org_id = o.id
              and s.month = to_char(date_trunc('month', ${now.toISOString()}::timestamptz at time zone o.time_zone) - interval '1 month', 'YYYY-MM'))`,
  );
  let issued = 0;
  for (const d of due) if ((await issueStatement(db, { orgId: d.id, month: d.month }, now)).issued) issued++;
  return issued;
}

export type StatementSummary = { month: string; issuedAt: string };

/** The org's issued statements, newest first (admins). */
export async function listStatements(actor: Principal, input: { orgId: string }, db: Tx = getDb()): Promise<StatementSummary[]> {
  authorize(actor, "retention.statements.read", { orgId: input.orgId });
  const rows = await db
    .select({ month: retentionStatements.month, issuedAt: retentionStatements.issuedAt })
    .from(retentionStatements)
    .where(eq(retentionStatements.orgId, input.orgId))
    .orderBy(desc(retentionStatements.month));
  return rows.map((r) => ({ month: r.month, issuedAt: r.issuedAt.toISOString() }));
}

/**
 * The download: the signed statement with the JWKS that verifies it (admins).
 * A month that is due but not issued yet (the issuer runs hourly) is issued
 * now, exactly as the issuer would; a month not over, or before the org
 * existed, has none (404).
 */
export async function getStatementFile(actor: Principal, input: { orgId: string; month: string }, db: Db = getDb()): Promise<StatementFile> {
  authorize(actor, "retention.statements.read", { orgId: input.orgId });
  const month = parseMonth(input.month);
  const [row] = await db
    .select()
    .from(retentionStatements)
    .where(and(eq(retentionStatements.orgId, input.orgId), eq(retentionStatements.month, month)));
  let statement = row?.jws;
  if (!statement) {
    const [org] = await db
      .select({ createdAt: organizations.createdAt, timeZone: organizations.timeZone })
      .from(organizations)
      .where(eq(organizations.id, input.orgId));
    if (!org) throw notFound("Organization not found");
    const period = await monthBounds(db, month, org.timeZone);
    const now = new Date();
    if (period.to > now.toISOString() || org.createdAt.toISOString() >= period.to) throw notFound("No statement for that month");
    statement = (await issueStatement(db, { orgId: input.orgId, month }, now)).jws;
  }
  return { type: STATEMENT_FILE_TYPE, orgId: input.orgId, month, statement, jwks: await jwks() };
}
