/**
 * The certificate of a completed removal: a compact JWS (lib/signing) that
 * anyone can verify against /.well-known/jwks.json without trusting us. Its
 * payload is built only from the stored request, its job's verified counts,
 * the fleet's report and the audit entry that completed it, so the same
 * request always yields the same document (Ed25519 signatures are
 * deterministic). No content, no requester e-mail: the approver is named, as
 * the issue asks, by the support account that approved.
 */
import { eq } from "drizzle-orm";
import { getDb, type Tx } from "@/lib/db";
import { auditLog, organizations } from "@/lib/db/schema";
import type { Principal } from "@/lib/auth/principal";
import { AppError } from "@/lib/errors";
import { signDocument } from "@/lib/signing";
import { getRemovalRequest, type RemovalRequestView } from "./requests";
import type { RemovalCounts, Verification } from "./jobs";

export const CERTIFICATE_TYP = "zdr-removal-certificate+jws";

export type RemovalCertificate = {
  type: "removal_certificate";
  version: 1;
  requestId: string;
  org: { id: string; name: string };
  scope: { kind: string; projectId: string | null; apiKeyId: string | null };
  range: { fromDay: string; toDay: string; timeZone: string; from: string; to: string };
  includeContent: boolean;
  removed: {
    store: string;
    where: string;
    rows?: number;
    rowsDeleted?: number;
    rowsAdjusted?: number;
    itemsRemoved?: number | null;
    completedAt?: string | null;
  }[];
  verification: Verification;
  /** `cutoff`: events in scope stored up to then were removed; later reports into the range are new data. */
  times: { requestedAt: string; approvedAt: string | null; startedAt: string | null; cutoff: string | null; completedAt: string };
  approvedBy: { id: string | null; label: string | null; reason: string | null; ticketRef: string | null };
  auditEntry: { id: number; hash: string; action: string };
};

type StoredCounts = RemovalCounts & {
  cutoffAt?: string | null;
  verification: Verification;
  fleet: { itemsRemoved: number | null; completedAt: string | null } | null;
};

export function certificatePayload(r: RemovalRequestView, orgName: string, audit: { id: number; hash: string; action: string }): RemovalCertificate {
  const c = r.counts as StoredCounts;
  const removed: RemovalCertificate["removed"] = [
    { store: "usage_events", where: "ZDR Console database (raw usage metadata)", rows: c.usage_events },
    { store: "usage_rollups_hourly", where: "ZDR Console database (hourly totals)", ...c.usage_rollups_hourly },
    { store: "usage_rollups_daily", where: "ZDR Console database (daily totals)", ...c.usage_rollups_daily },
  ];
  if (r.includeContent)
    removed.push({
      store: "fleet_content",
      where: "serving fleet (content kept outside ZDR), as reported by the fleet",
      itemsRemoved: c.fleet?.itemsRemoved ?? null,
      completedAt: c.fleet?.completedAt ?? null,
    });
  return {
    type: "removal_certificate",
    version: 1,
    requestId: r.id,
    org: { id: r.orgId, name: orgName },
    scope: { kind: r.scope, projectId: r.projectId, apiKeyId: r.apiKeyId },
    range: { fromDay: r.fromDay, toDay: r.toDay, timeZone: r.timeZone, from: r.fromAt.toISOString(), to: r.toAt.toISOString() },
    includeContent: r.includeContent,
    removed,
    verification: c.verification,
    times: {
      requestedAt: r.createdAt.toISOString(),
      approvedAt: r.reviewedAt?.toISOString() ?? null,
      startedAt: r.startedAt?.toISOString() ?? null,
      cutoff: c.cutoffAt ?? null,
      completedAt: r.finishedAt!.toISOString(),
    },
    approvedBy: { id: r.reviewedBy, label: r.reviewedByLabel, reason: r.reviewReason, ticketRef: r.ticketRef },
    auditEntry: audit,
  };
}

/** The signed certificate of a completed request; a request not completed has none (409), another org's is 404. */
export async function removalCertificate(
  actor: Principal | null,
  input: { orgId: string; requestId: string },
  db: Tx = getDb(),
): Promise<{ jws: string; payload: RemovalCertificate }> {
  const r = await getRemovalRequest(actor, input, db);
  if (r.status !== "completed" || !r.lastAuditId) throw new AppError("conflict", `This request is ${r.status}; only a completed removal has a certificate.`);
  const [audit] = await db.select({ id: auditLog.id, hash: auditLog.hash, action: auditLog.action }).from(auditLog).where(eq(auditLog.id, r.lastAuditId));
  const [org] = await db.select({ name: organizations.name }).from(organizations).where(eq(organizations.id, r.orgId));
  const payload = certificatePayload(r, org.name, audit);
  return { jws: await signDocument(payload, { typ: CERTIFICATE_TYP }), payload };
}
