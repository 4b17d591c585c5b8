import type { Metadata } from "next";
import { isAllowed } from "@/lib/auth/permissions";
import { requireCustomer } from "@/lib/auth/session";
import { getOrgProfile, listMembers } from "@/lib/orgs/members";
import { formatDate, formatDateTime } from "@/lib/intl";
import { PageHeader } from "@/components/ui/page-header";
import { AdminOnly } from "@/components/members/admin-only";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { InviteForm, RemoveForm, ResendForm, RoleForm } from "@/components/members/member-forms";
import { changeRoleAction, inviteAction, removeMemberAction, resendInvitationAction, revokeInvitationAction } from "./actions";

export const metadata: Metadata = { title: "Members" };

export default async function MembersPage() {
  const user = await requireCustomer();
  // Members do not manage membership: they are told who does, and nothing of the page is read.
  if (!isAllowed(user, "members.manage", { orgId: user.orgId })) return <AdminOnly title="Members" org={await getOrgProfile(user, user.orgId)} />;
  const [{ members, pending }, org] = await Promise.all([listMembers(user, user.orgId), getOrgProfile(user, user.orgId)]);
  return (
    <>
      <PageHeader title="Members" description="Who can see this organization's usage and retention, and who administers it." />
      <div className="space-y-6">
        <Card aria-labelledby="invite-title">
          <CardHeader id="invite-title" title="Invite someone" description="They receive an email with a link that works once and expires in 7 days." />
          <CardBody>
            <InviteForm action={inviteAction} orgId={user.orgId} />
          </CardBody>
        </Card>
        <Card aria-labelledby="members-title">
          <CardHeader id="members-title" title={`Members (${members.length})`} />
          <div className="overflow-x-auto">
            <table className="stack-table w-full text-left text-sm">
              <thead className="text-xs uppercase tracking-wide text-slate-600 dark:text-slate-400">
                <tr>
                  <th scope="col" className="px-5 py-2">
                    Name
                  </th>
                  <th scope="col" className="px-5 py-2">
                    Email
                  </th>
                  <th scope="col" className="px-5 py-2">
                    Member since
                  </th>
                  <th scope="col" className="px-5 py-2">
                    Role
                  </th>
                  <th scope="col" className="px-5 py-2">
                    <span className="sr-only">Remove</span>
                  </th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
                {members.map((m) => (
                  <tr key={m.userId} data-testid="member-row">
                    <td data-label="" className="px-5 py-3 font-medium">
                      {m.name}
                      {m.userId === user.userId ? <span className="ml-1 text-slate-600 dark:text-slate-400">(you)</span> : null}
                    </td>
                    <td data-label="Email" className="px-5 py-3">
                      {m.email}
                    </td>
                    <td data-label="Member since" className="px-5 py-3 text-slate-600 dark:text-slate-400">
                      {formatDate(m.since, org.timeZone)}
                    </td>
                    <td data-label="Role" className="px-5 py-3">
                      <RoleForm action={changeRoleAction} orgId={user.orgId} userId={m.userId} role={m.role} name={m.name} />
                    </td>
                    <td data-label="" className="px-5 py-3 text-right">
                      <RemoveForm
                        action={removeMemberAction}
                        orgId={user.orgId}
                        hidden={{ userId: m.userId }}
                        label="Remove"
                        subject={m.name}
                        confirmText={`${m.name} loses access to this organization at their next request.`}
                      />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </Card>
        <Card aria-labelledby="pending-title">
          <CardHeader id="pending-title" title="Pending invitations" />
          <CardBody>
            {pending.length === 0 ? (
              <p className="text-sm text-slate-600 dark:text-slate-400">No invitations are waiting.</p>
            ) : (
              <ul className="divide-y divide-slate-100 dark:divide-slate-800">
                {/* Keyed by address (one live invitation each): Resend replaces the row's invitation, and its form keeps the answer it showed. */}
                {pending.map((i) => (
                  <li key={i.email} className="flex flex-wrap items-center justify-between gap-2 py-2 text-sm" data-testid="invitation-row">
                    <span>
                      <span className="font-medium">{i.email}</span> · {i.role === "admin" ? "Administrator" : "Member"} · expires{" "}
                      {formatDateTime(i.expiresAt, org.timeZone)}
                    </span>
                    <span className="flex flex-wrap items-center gap-2">
                      <ResendForm action={resendInvitationAction} orgId={user.orgId} invitationId={i.id} email={i.email} />
                      <RemoveForm
                        action={revokeInvitationAction}
                        orgId={user.orgId}
                        hidden={{ invitationId: i.id }}
                        label="Revoke"
                        subject={`the invitation to ${i.email}`}
                        confirmText={`The link sent to ${i.email} stops working.`}
                      />
                    </span>
                  </li>
                ))}
              </ul>
            )}
          </CardBody>
        </Card>
      </div>
    </>
  );
}
