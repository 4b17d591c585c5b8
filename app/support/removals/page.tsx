import type { Metadata } from "next";
import { requireSupport } from "@/lib/auth/session";
import { listRemovalsForSupport } from "@/lib/removal/requests";
import { requestAge } from "@/lib/business-time";
import { formatUtc } from "@/components/support/zdr-state-badge";
import { progressText, RemovalStatusBadge, scopeText } from "@/components/removal/summary";
import { ReviewRemovalForm } from "@/components/removal/review-form";
import { reviewRemovalAction } from "./actions";

export const metadata: Metadata = { title: "Removal requests" };

const BUSINESS_DAY = 24 * 3600_000;

export default async function RemovalsPage() {
  const actor = await requireSupport();
  const rows = await listRemovalsForSupport(actor);
  const now = new Date();
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold">Removal requests</h1>
        <p className="text-sm text-slate-600 dark:text-slate-400">
          Pending first, oldest first. Age counts business days (weekends do not count). Approving starts the removal at once.
        </p>
      </div>
      {rows.length === 0 ? (
        <p className="text-sm">No removal requests.</p>
      ) : (
        <table className="stack-table w-full text-left text-sm">
          <thead className="border-b border-slate-200 text-slate-600 dark:border-slate-800 dark:text-slate-400">
            <tr>
              <th className="py-2">Organization</th>
              <th>Scope and days</th>
              <th>Requested</th>
              <th>Age (business days)</th>
              <th>Status</th>
              <th>Decision</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => {
              const age = requestAge(r.createdAt, now);
              return (
                <tr key={r.id} className="border-b border-slate-100 align-top dark:border-slate-800" data-testid="removal-request">
                  <td data-label="Organization" className="py-2 font-medium">
                    {r.orgName}
                  </td>
                  <td data-label="Scope and days">
                    {scopeText(r)}
                    <div className="text-xs text-slate-600 dark:text-slate-400">
                      {r.fromDay} to {r.toDay} ({r.timeZone}){r.includeContent ? ", with content" : ""}
                    </div>
                  </td>
                  <td data-label="Requested">
                    {formatUtc(r.createdAt)}
                    <div className="text-xs text-slate-600 dark:text-slate-400">{r.requestedByLabel ?? ""}</div>
                  </td>
                  <td data-label="Age (business days)" className="tabular-nums">
                    {(age.businessMs / BUSINESS_DAY).toFixed(1)}
                  </td>
                  <td data-label="Status">
                    <RemovalStatusBadge status={r.status} />
                    {r.status === "running" ? <div className="text-xs text-slate-600 dark:text-slate-400">{progressText(r.progress)}</div> : null}
                  </td>
                  <td data-label="Decision" className="min-w-64">
                    {r.status === "pending" ? <ReviewRemovalForm action={reviewRemovalAction} requestId={r.id} /> : (r.reviewReason ?? "")}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </div>
  );
}
