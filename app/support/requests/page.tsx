import type { Metadata } from "next";
import Link from "next/link";
import { requireSupport } from "@/lib/auth/session";
import { listPendingRequests } from "@/lib/support/queries";
import { formatUtc } from "@/components/support/zdr-state-badge";
import { PLAN_LABELS, ZDR_SCOPE_LABELS } from "@/lib/vocabulary";

export const metadata: Metadata = { title: "ZDR requests" };

function hours(ms: number): string {
  const h = Math.floor(Math.abs(ms) / 3600_000);
  const m = Math.floor((Math.abs(ms) % 3600_000) / 60_000);
  return h >= 1 ? `${h} h ${m} min` : `${m} min`;
}

export default async function RequestsPage() {
  const actor = await requireSupport();
  const requests = await listPendingRequests(actor);
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold">ZDR requests</h1>
        <p className="text-sm text-slate-600 dark:text-slate-400">
          Pending requests, oldest first. Target: a decision within one business day (weekends do not count).
        </p>
      </div>
      {requests.length === 0 ? (
        <p className="text-sm">No pending requests.</p>
      ) : (
        <table className="stack-table w-full text-left text-sm">
          <thead className="border-b border-slate-200 text-slate-600 dark:border-slate-800 dark:text-slate-400">
            <tr>
              <th className="py-2">Organization</th>
              <th>Requested by</th>
              <th>Scope</th>
              <th>Requested</th>
              <th>Age (business time)</th>
              <th>Target</th>
            </tr>
          </thead>
          <tbody>
            {requests.map((r) => (
              <tr key={r.id} className="border-b border-slate-100 align-top dark:border-slate-800" data-testid="zdr-request">
                <td data-label="Organization" className="py-2">
                  <Link href={`/support/orgs/${r.orgId}`} className="font-medium text-brand-700 hover:underline dark:text-brand-100">
                    {r.orgName}
                  </Link>
                  <div className="text-xs text-slate-600 dark:text-slate-400">{PLAN_LABELS[r.plan]}</div>
                  {r.note ? <div className="mt-1 max-w-sm text-xs text-slate-600 dark:text-slate-400">“{r.note}”</div> : null}
                </td>
                <td data-label="Requested by">
                  {r.requesterName ?? "—"}
                  <div className="text-xs text-slate-600 dark:text-slate-400">{r.requesterEmail ?? ""}</div>
                </td>
                <td data-label="Scope">{ZDR_SCOPE_LABELS[r.scope]}</td>
                <td data-label="Requested">{formatUtc(r.createdAt)}</td>
                <td data-label="Age (business time)" className="tabular-nums">
                  {r.age.label}
                </td>
                <td data-label="Target">
                  {r.age.overdue ? (
                    <span className="rounded-full bg-red-100 px-2 py-0.5 text-xs font-medium text-red-900 dark:bg-red-950 dark:text-red-200">
                      Overdue by {hours(r.age.remainingMs)}
                    </span>
                  ) : (
                    <span className="rounded-full bg-emerald-100 px-2 py-0.5 text-xs font-medium text-emerald-900 dark:bg-emerald-950 dark:text-emerald-200">
                      {hours(r.age.remainingMs)} left
                    </span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
