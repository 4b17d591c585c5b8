import type { Metadata } from "next";
import Link from "next/link";
import { requireSupport } from "@/lib/auth/session";
import { listModerationFlags } from "@/lib/support/queries";
import { FLAG_REVIEW_STATUS_LABELS } from "@/lib/vocabulary";
import { formatUtc } from "@/components/support/zdr-state-badge";
import { FlagReviewForm } from "@/components/support/flag-review-form";
import { reviewFlagAction } from "./actions";

export const metadata: Metadata = { title: "Moderation flags" };

export default async function FlagsPage() {
  const actor = await requireSupport();
  const flags = await listModerationFlags(actor);
  const open = flags.filter((f) => f.reviewStatus === "open").length;
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold">Moderation flags</h1>
        <p className="text-sm text-slate-600 dark:text-slate-400">
          Flags raised by the automated moderation system, open ones first, and what each did to the organization&apos;s ZDR. {open} open.
        </p>
      </div>
      {flags.length === 0 ? (
        <p className="text-sm">No moderation flags.</p>
      ) : (
        <table className="stack-table w-full text-left text-sm" data-testid="flags">
          <thead className="border-b border-slate-200 text-slate-600 dark:border-slate-800 dark:text-slate-400">
            <tr>
              <th className="py-2 pr-3">Raised</th>
              <th className="px-3">Organization</th>
              <th className="px-3">Category</th>
              <th className="px-3">Severity</th>
              <th className="px-3">Effect</th>
              <th className="px-3">Review</th>
            </tr>
          </thead>
          <tbody>
            {flags.map((f) => (
              <tr key={f.id} className="border-b border-slate-100 align-top dark:border-slate-800" data-testid="flag" data-review={f.reviewStatus}>
                <td data-label="Raised" className="py-2 pr-3 whitespace-nowrap">
                  {formatUtc(f.createdAt)}
                </td>
                <td data-label="Organization" className="px-3 py-2">
                  <Link href={`/support/orgs/${f.orgId}`} className="text-brand-700 hover:underline dark:text-brand-100">
                    {f.orgName}
                  </Link>
                </td>
                <td data-label="Category" className="px-3 py-2">
                  {f.category}
                </td>
                <td data-label="Severity" className="px-3 py-2">
                  {f.severity}
                </td>
                <td data-label="Effect" className="px-3 py-2">
                  {f.effect}
                </td>
                <td data-label="Review" className="px-3 py-2">
                  {f.reviewStatus === "open" ? (
                    <FlagReviewForm action={reviewFlagAction} flagId={f.id} label={`${f.category} on ${f.orgName}`} />
                  ) : (
                    <>
                      <span className="font-medium">{FLAG_REVIEW_STATUS_LABELS[f.reviewStatus]}</span>
                      <div className="text-xs text-slate-600 dark:text-slate-400">
                        by {f.reviewedByName ?? "a former account"}, {formatUtc(f.reviewedAt)}
                      </div>
                      {f.reviewNote ? <div className="mt-1 max-w-xs text-xs">{f.reviewNote}</div> : null}
                    </>
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
