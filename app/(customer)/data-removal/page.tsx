import type { Metadata } from "next";
import Link from "next/link";
import { requireCustomer } from "@/lib/auth/session";
import { isAllowed } from "@/lib/auth/permissions";
import { listRemovalRequests } from "@/lib/removal/requests";
import { localDate } from "@/lib/usage/range";
import { formatDateTime } from "@/lib/intl";
import { getRetentionView } from "@/lib/retention/queries";
import { PageHeader } from "@/components/ui/page-header";
import { AdminOnly } from "@/components/members/admin-only";
import { getOrgProfile } from "@/lib/orgs/members";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { CancelRemovalForm, RemovalRequestForm } from "@/components/removal/request-form";
import { progressText, RemovalStatusBadge, scopeText } from "@/components/removal/summary";
import { cancelRemovalAction, requestRemovalAction } from "./actions";

export const metadata: Metadata = { title: "Data removal" };

export default async function DataRemovalPage() {
  const user = await requireCustomer();
  // Members do not request removals: they are told who does, and nothing of the page is read.
  if (!isAllowed(user, "removal.request", { orgId: user.orgId })) return <AdminOnly title="Data removal" org={await getOrgProfile(user, user.orgId)} />;
  const [requests, view] = await Promise.all([listRemovalRequests(user, { orgId: user.orgId }), getRetentionView(user, { orgId: user.orgId })]);
  const today = localDate(new Date(), view.timeZone);
  return (
    <>
      <PageHeader
        title="Data removal"
        description="Ask for usage data of this organization, one project or one API key to be removed for a range of days. Support reviews each request; a completed removal has a signed certificate."
      />
      <div className="space-y-6">
        <Card aria-labelledby="new-removal">
          <CardHeader id="new-removal" title="Request a removal" description={`Days are calendar days in ${view.timeZone}; today is ${today}.`} />
          <CardBody>
            <RemovalRequestForm action={requestRemovalAction} orgId={user.orgId} today={today} />
          </CardBody>
        </Card>
        <Card aria-labelledby="removals">
          <CardHeader id="removals" title="Requests" />
          <CardBody>
            {requests.length === 0 ? (
              <p className="text-sm text-slate-600 dark:text-slate-400">No removal has been requested.</p>
            ) : (
              <table className="stack-table w-full text-left text-sm">
                <thead className="text-xs uppercase tracking-wide text-slate-600 dark:text-slate-400">
                  <tr>
                    <th scope="col" className="py-2">
                      Days
                    </th>
                    <th scope="col">Scope</th>
                    <th scope="col">Content</th>
                    <th scope="col">Requested</th>
                    <th scope="col">Status</th>
                    <th scope="col">
                      <span className="sr-only">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
                  {requests.map((r) => (
                    <tr key={r.id} data-testid="removal-row" className="align-top">
                      <td data-label="Days" className="py-2">
                        <Link className="font-medium text-brand-700 hover:underline dark:text-brand-100" href={`/data-removal/${r.id}`}>
                          {r.fromDay} to {r.toDay}
                        </Link>
                      </td>
                      <td data-label="Scope">{scopeText(r)}</td>
                      <td data-label="Content">{r.includeContent ? "Included" : "No"}</td>
                      <td data-label="Requested">{formatDateTime(r.createdAt, view.timeZone)}</td>
                      <td data-label="Status">
                        <RemovalStatusBadge status={r.status} />
                        {r.status === "running" ? <div className="mt-1 text-xs text-slate-600 dark:text-slate-400">{progressText(r.progress)}</div> : null}
                      </td>
                      <td data-label="">
                        {r.status === "pending" ? <CancelRemovalForm action={cancelRemovalAction} orgId={user.orgId} requestId={r.id} /> : null}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </CardBody>
        </Card>
      </div>
    </>
  );
}
