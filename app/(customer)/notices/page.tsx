import type { Metadata } from "next";
import { requireCustomer } from "@/lib/auth/session";
import { listNoticesWithAcknowledger } from "@/lib/notices/queries";
import type { NoticeDetails } from "@/lib/notify/compose";
import { formatUtc } from "@/components/support/zdr-state-badge";
import { AcknowledgeButton } from "@/components/notices/acknowledge-button";
import { Badge } from "@/components/ui/badge";
import { PageHeader } from "@/components/ui/page-header";
import { acknowledgeAction } from "./actions";

export const metadata: Metadata = { title: "Notices" };

const TONE: Record<string, string> = {
  zdr_restricted: "border-amber-300 dark:border-amber-800",
  zdr_disabled: "border-slate-300 dark:border-slate-700",
  zdr_enabled: "border-emerald-300 dark:border-emerald-800",
  restriction_lifted: "border-emerald-300 dark:border-emerald-800",
  zdr_requested: "border-sky-300 dark:border-sky-800",
};

export default async function NoticesPage() {
  const actor = await requireCustomer();
  const rows = await listNoticesWithAcknowledger(actor, actor.orgId);
  const unread = rows.filter((r) => !r.notice.acknowledgedAt).length;
  const isAdmin = actor.role === "admin";
  return (
    <div className="max-w-4xl space-y-6">
      <PageHeader
        title="Notices"
        description={
          <>
            Changes to your organization&apos;s data retention, newest first. {unread} not yet acknowledged.
            {isAdmin
              ? " As an administrator, acknowledge each notice once you have reviewed it."
              : " An administrator of your organization acknowledges them; you can read them here."}
          </>
        }
      />
      {rows.length === 0 ? <p className="text-sm">No notices.</p> : null}
      <ol className="space-y-4">
        {rows.map(({ notice: n, acknowledgedByName, acknowledgedByEmail }) => {
          const d = (n.details ?? {}) as Partial<NoticeDetails>;
          const isUnread = !n.acknowledgedAt;
          return (
            <li key={n.id}>
              <article
                aria-labelledby={`notice-${n.id}`}
                data-testid="notice"
                data-unread={isUnread ? "true" : "false"}
                className={`rounded-lg border-l-4 border bg-white p-5 dark:bg-slate-900 ${TONE[n.kind] ?? ""}`}
              >
                <div className="flex flex-wrap items-center gap-2">
                  {isUnread ? <Badge tone="info">Unread</Badge> : null}
                  <h2 id={`notice-${n.id}`} className={`text-base ${isUnread ? "font-semibold" : "font-medium"}`}>
                    {n.title}
                  </h2>
                  <span className="ml-auto text-xs text-slate-500">
                    <time dateTime={n.createdAt.toISOString()}>{formatUtc(n.createdAt)}</time>
                  </span>
                </div>
                <p className="mt-2 text-sm">{n.body}</p>
                <dl className="mt-3 grid grid-cols-1 gap-x-6 gap-y-1 text-sm sm:grid-cols-[12rem_1fr]">
                  {d.effectiveAt ? (
                    <>
                      <dt className="text-slate-500">Effective</dt>
                      <dd>{formatUtc(d.effectiveAt)}</dd>
                    </>
                  ) : null}
                  {d.reasonLabel ? (
                    <>
                      <dt className="text-slate-500">Reason</dt>
                      <dd>{d.reasonLabel}</dd>
                    </>
                  ) : null}
                  {d.note ? (
                    <>
                      <dt className="text-slate-500">Note from the provider</dt>
                      <dd>{d.note}</dd>
                    </>
                  ) : null}
                  {d.affectedProducts?.length ? (
                    <>
                      <dt className="text-slate-500">Affected products</dt>
                      <dd>{d.affectedProducts.join(", ")}</dd>
                    </>
                  ) : null}
                  {d.trafficImpact ? (
                    <>
                      <dt className="text-slate-500">What it means for your traffic</dt>
                      <dd>{d.trafficImpact}</dd>
                    </>
                  ) : null}
                  {d.contest ? (
                    <>
                      <dt className="text-slate-500">How to contest</dt>
                      <dd>{d.contest}</dd>
                    </>
                  ) : null}
                  {d.ticketRef ? (
                    <>
                      <dt className="text-slate-500">Ticket reference</dt>
                      <dd>{d.ticketRef}</dd>
                    </>
                  ) : null}
                </dl>
                <div className="mt-4 text-sm">
                  {n.acknowledgedAt ? (
                    <p data-testid="acknowledged">
                      Acknowledged by {acknowledgedByName ?? "a former administrator"}
                      {acknowledgedByEmail ? ` (${acknowledgedByEmail})` : ""} on {formatUtc(n.acknowledgedAt)}.
                    </p>
                  ) : isAdmin ? (
                    <AcknowledgeButton noticeId={n.id} orgId={actor.orgId} title={n.title} action={acknowledgeAction} />
                  ) : (
                    <p className="text-slate-600 dark:text-slate-400">Awaiting acknowledgement by an administrator.</p>
                  )}
                </div>
              </article>
            </li>
          );
        })}
      </ol>
    </div>
  );
}
