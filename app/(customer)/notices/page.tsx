import type { Metadata } from "next";
import { requireCustomer } from "@/lib/auth/session";
import { env } from "@/lib/env";
import { listNoticesWithAcknowledger } from "@/lib/notices/queries";
import { noticeRows, type NoticeDetails } from "@/lib/notify/compose";
import { getRetentionView } from "@/lib/retention/queries";
import { AcknowledgeButton } from "@/components/notices/acknowledge-button";
import { Badge } from "@/components/ui/badge";
import { formatDateTime } from "@/components/ui/format";
import { PageHeader } from "@/components/ui/page-header";
import { switchOrganization } from "../actions";
import { acknowledgeAction } from "./actions";

export const metadata: Metadata = { title: "Notices" };

const TONE: Record<string, string> = {
  zdr_restricted: "border-amber-300 dark:border-amber-800",
  zdr_disabled: "border-slate-300 dark:border-slate-700",
  zdr_enabled: "border-emerald-300 dark:border-emerald-800",
  restriction_lifted: "border-emerald-300 dark:border-emerald-800",
  zdr_requested: "border-sky-300 dark:border-sky-800",
};

/** A notice written before the body stopped repeating what it means for traffic: print that sentence once. */
function bodyOf(body: string, trafficImpact: string | undefined): string {
  return trafficImpact && body.endsWith(trafficImpact) ? body.slice(0, -trafficImpact.length).trim() : body;
}

export default async function NoticesPage({ searchParams }: { searchParams: Promise<{ org?: string }> }) {
  const actor = await requireCustomer();
  const { org } = await searchParams;
  const [rows, view] = await Promise.all([listNoticesWithAcknowledger(actor, actor.orgId), getRetentionView(actor, { orgId: actor.orgId })]);
  const unread = rows.filter((r) => !r.notice.acknowledgedAt).length;
  const isAdmin = actor.role === "admin";
  const tz = view.timeZone;
  const supportEmail = env().SUPPORT_EMAIL;
  // A link from an email names the notice's organization; it may not be the one this session works in.
  const linkedOrg = typeof org === "string" && org !== actor.orgId ? actor.memberships.find((m) => m.orgId === org) : undefined;
  return (
    <div className="max-w-4xl space-y-6">
      <PageHeader
        title="Notices"
        description={
          <>
            Changes to your organization&apos;s data retention, newest first.{" "}
            {isAdmin ? (
              <>
                <span data-testid="notice-count-text">{unread} not yet acknowledged.</span> As an administrator, acknowledge each notice once you have reviewed
                it; to disagree with one, contest it with support.
              </>
            ) : (
              " Your organization's administrators acknowledge them and can contest them; you can read them here."
            )}
          </>
        }
      />
      {linkedOrg ? (
        <form
          action={switchOrganization}
          className="rounded-lg border border-sky-300 bg-sky-50 p-4 text-sm dark:border-sky-800 dark:bg-sky-950"
          data-testid="other-org"
        >
          <p>
            The notice you followed belongs to <strong>{linkedOrg.orgName}</strong>; you are working in <strong>{view.orgName}</strong>.
          </p>
          <input type="hidden" name="orgId" value={linkedOrg.orgId} />
          <button type="submit" className="mt-2 font-medium text-brand-600 underline underline-offset-2 dark:text-brand-100">
            Switch to {linkedOrg.orgName} to read it
          </button>
        </form>
      ) : null}
      {rows.length === 0 ? <p className="text-sm">No notices.</p> : null}
      <ol className="space-y-4">
        {rows.map(({ notice: n, acknowledgedByName, acknowledgedByEmail }) => {
          const d = (n.details ?? {}) as Partial<NoticeDetails>;
          const isUnread = !n.acknowledgedAt;
          const rowsOf = d.effectiveAt && d.trafficImpact !== undefined ? noticeRows({ affectedProducts: [], ...d, timeZone: tz } as NoticeDetails) : [];
          const contestMail = `mailto:${supportEmail}?subject=${encodeURIComponent(`Contest: ${n.title}${d.ticketRef ? ` (${d.ticketRef})` : ""}`)}`;
          return (
            <li key={n.id}>
              <article
                id={`notice-${n.id}`}
                aria-labelledby={`notice-title-${n.id}`}
                data-testid="notice"
                data-unread={isUnread ? "true" : "false"}
                className={`scroll-mt-4 rounded-lg border border-l-4 bg-white p-5 target:ring-2 target:ring-brand-600 dark:bg-slate-900 ${TONE[n.kind] ?? ""}`}
              >
                <div className="flex flex-wrap items-center gap-2">
                  {isUnread && isAdmin ? <Badge tone="info">Unread</Badge> : null}
                  <h2 id={`notice-title-${n.id}`} className={`text-base ${isUnread && isAdmin ? "font-semibold" : "font-medium"}`}>
                    {n.title}
                  </h2>
                  <span className="ml-auto text-xs text-slate-600 dark:text-slate-400">
                    <time dateTime={n.createdAt.toISOString()}>{formatDateTime(n.createdAt, tz)}</time>
                  </span>
                </div>
                <p className="mt-2 text-sm">{bodyOf(n.body, d.trafficImpact)}</p>
                <dl className="mt-3 grid grid-cols-1 gap-x-6 gap-y-1 text-sm sm:grid-cols-[12rem_1fr]">
                  {rowsOf.map(([k, v]) => (
                    <div key={k} className="contents">
                      <dt className="text-slate-600 dark:text-slate-400">{k}</dt>
                      <dd>{v}</dd>
                    </div>
                  ))}
                </dl>
                <div className="mt-4 flex flex-wrap items-center gap-4 text-sm">
                  {n.acknowledgedAt ? (
                    <p data-testid="acknowledged">
                      Acknowledged by {acknowledgedByName ?? "a former administrator"}
                      {acknowledgedByEmail ? ` (${acknowledgedByEmail})` : ""} on {formatDateTime(n.acknowledgedAt, tz)}.
                    </p>
                  ) : isAdmin ? (
                    <AcknowledgeButton noticeId={n.id} orgId={actor.orgId} title={n.title} action={acknowledgeAction} />
                  ) : (
                    <p className="text-slate-600 dark:text-slate-400">Awaiting acknowledgement by an administrator.</p>
                  )}
                  {d.contest && isAdmin ? (
                    <a href={contestMail} className="font-medium text-brand-600 underline underline-offset-2 dark:text-brand-100">
                      Contest this decision by email
                    </a>
                  ) : null}
                </div>
              </article>
            </li>
          );
        })}
      </ol>
    </div>
  );
}
