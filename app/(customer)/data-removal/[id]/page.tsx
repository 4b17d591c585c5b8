import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { requireCustomer } from "@/lib/auth/session";
import { AppError } from "@/lib/errors";
import { formatDateTime } from "@/lib/intl";
import { getRemovalRequest, type RemovalRequestView } from "@/lib/removal/requests";
import type { RemovalCounts, Verification } from "@/lib/removal/jobs";
import { PageHeader } from "@/components/ui/page-header";
import { AdminOnly } from "@/components/members/admin-only";
import { getOrgProfile } from "@/lib/orgs/members";
import { isAllowed } from "@/lib/auth/permissions";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { ButtonLink } from "@/components/ui/button";
import { progressText, RemovalStatusBadge, scopeText } from "@/components/removal/summary";

export const metadata: Metadata = { title: "Data removal" };

type Counts = RemovalCounts & { verification: Verification; fleet: { itemsRemoved: number | null; completedAt: string | null } | null };

export default async function RemovalRequestPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requireCustomer();
  // A member is told who the administrators are, whatever the id: nothing says whether such a request exists.
  if (!isAllowed(user, "removal.read", { orgId: user.orgId })) return <AdminOnly title="Data removal" org={await getOrgProfile(user, user.orgId)} />;
  const { id } = await params;
  let r: RemovalRequestView;
  try {
    r = await getRemovalRequest(user, { orgId: user.orgId, requestId: id });
  } catch (e) {
    // Another org's request, or none: not found.
    if (e instanceof AppError) notFound();
    throw e;
  }
  const n = new Intl.NumberFormat("en-US");
  const c = r.counts as Counts | null;
  // Every moment in the org's time zone, the zone named.
  const at = (d: Date | string | null) => (d ? formatDateTime(d, r.timeZone) : "—");
  return (
    <>
      <PageHeader
        title={`Removal of ${r.fromDay} to ${r.toDay}`}
        description={`${scopeText(r)}, days in ${r.timeZone}${r.includeContent ? ", content kept by the fleet included" : ""}.`}
      />
      <div className="space-y-6">
        <Card aria-labelledby="state">
          <CardHeader id="state" title="State" actions={<RemovalStatusBadge status={r.status} />} />
          <CardBody>
            <dl className="grid grid-cols-[max-content_1fr] gap-x-6 gap-y-1 text-sm">
              <dt>Requested</dt>
              <dd>
                {at(r.createdAt)} by {r.requestedByLabel ?? "—"}
              </dd>
              <dt>Reviewed</dt>
              <dd>
                {at(r.reviewedAt)}
                {r.reviewedByLabel ? ` by ${r.reviewedByLabel}` : ""}
                {r.reviewReason ? `: ${r.reviewReason}` : ""}
                {r.ticketRef ? ` (${r.ticketRef})` : ""}
              </dd>
              <dt>Finished</dt>
              <dd>{at(r.finishedAt)}</dd>
              {r.status === "running" ? (
                <>
                  <dt>Progress</dt>
                  <dd data-testid="removal-progress">{progressText(r.progress)}</dd>
                </>
              ) : null}
              {r.failure ? (
                <>
                  <dt>Failure</dt>
                  <dd>{r.failure}</dd>
                </>
              ) : null}
            </dl>
          </CardBody>
        </Card>
        {r.status === "completed" && c ? (
          <Card aria-labelledby="counts">
            <CardHeader
              id="counts"
              title="What was removed"
              description={`Verified at ${at(c.verification.verifiedAt)} by reading the store: ${c.verification.eventsInScope} events left in scope, totals equal to the events in ${n.format(c.verification.hourlyBucketsChecked)} hours and ${n.format(c.verification.dailyBucketsChecked)} days.`}
              actions={
                <ButtonLink variant="primary" href={`/data-removal/${r.id}/certificate`} download>
                  Download certificate
                </ButtonLink>
              }
            />
            <CardBody>
              {c.usage_events === 0 ? (
                <p className="mb-2 text-sm" data-testid="removal-none">
                  No usage events matched the scope and days, so none were removed.
                </p>
              ) : null}
              <table className="stack-table w-full text-left text-sm" data-testid="removal-counts">
                <thead className="text-xs uppercase tracking-wide text-slate-600 dark:text-slate-400">
                  <tr>
                    <th scope="col" className="py-1">
                      Table
                    </th>
                    <th scope="col">Rows removed</th>
                    <th scope="col">Rows reduced</th>
                  </tr>
                </thead>
                <tbody>
                  <tr>
                    <td data-label="" className="py-1">
                      Usage events (raw metadata)
                    </td>
                    <td data-label="Rows removed" data-testid="count-usage_events">
                      {n.format(c.usage_events)}
                    </td>
                    <td data-label="Rows reduced">—</td>
                  </tr>
                  <tr>
                    <td data-label="" className="py-1">
                      Hourly totals
                    </td>
                    <td data-label="Rows removed">{n.format(c.usage_rollups_hourly.rowsDeleted)}</td>
                    <td data-label="Rows reduced">{n.format(c.usage_rollups_hourly.rowsAdjusted)}</td>
                  </tr>
                  <tr>
                    <td data-label="" className="py-1">
                      Daily totals
                    </td>
                    <td data-label="Rows removed">{n.format(c.usage_rollups_daily.rowsDeleted)}</td>
                    <td data-label="Rows reduced">{n.format(c.usage_rollups_daily.rowsAdjusted)}</td>
                  </tr>
                  {r.includeContent ? (
                    <tr>
                      <td data-label="" className="py-1">
                        Content kept by the serving fleet (fleet&apos;s report)
                      </td>
                      <td data-label="Rows removed">{c.fleet?.itemsRemoved === null || c.fleet === null ? "—" : n.format(c.fleet.itemsRemoved)}</td>
                      <td data-label="Rows reduced">{c.fleet?.completedAt ? `reported done ${at(c.fleet.completedAt)}` : ""}</td>
                    </tr>
                  ) : null}
                </tbody>
              </table>
            </CardBody>
          </Card>
        ) : null}
      </div>
    </>
  );
}
