"use server";
/**
 * Membership actions of the org admin, through the one action wrapper; the
 * domain (lib/orgs/members.ts) checks the admin role and the tenant again.
 */
import { action } from "@/lib/actions/action";
import {
  changeMemberRole,
  inviteMember,
  InviteSchema,
  removeMember,
  resendInvitation,
  RemoveMemberSchema,
  revokeInvitation,
  RevokeInvitationSchema,
  RoleSchema,
} from "@/lib/orgs/members";
import { ROLE_LABELS } from "@/lib/vocabulary";

const spec = { operation: "members.manage", who: "customer", revalidate: "/members" } as const;

export const inviteAction = action({ ...spec, schema: InviteSchema }, async ({ actor, input, org }) => {
  await inviteMember(actor, { orgId: org.id, ...input });
  return { message: `Invitation to join ${org.name} as ${ROLE_LABELS[input.role].toLowerCase()} sent to ${input.email}.` };
});

export const changeRoleAction = action({ ...spec, schema: RoleSchema }, async ({ actor, input, org }) => {
  await changeMemberRole(actor, { orgId: org.id, ...input });
  return { message: `Role in ${org.name} set to ${ROLE_LABELS[input.role].toLowerCase()}.` };
});

export const removeMemberAction = action({ ...spec, schema: RemoveMemberSchema }, async ({ actor, input, org }) => {
  await removeMember(actor, { orgId: org.id, ...input });
  return { message: `Removed from ${org.name}.` };
});

export const revokeInvitationAction = action({ ...spec, schema: RevokeInvitationSchema }, async ({ actor, input, org }) => {
  await revokeInvitation(actor, { orgId: org.id, ...input });
  return { message: `Invitation to ${org.name} revoked.` };
});

export const resendInvitationAction = action(
  { operation: "members.invitations.resend", who: "customer", revalidate: "/members", schema: RevokeInvitationSchema },
  async ({ actor, input, org }) => {
    const { email } = await resendInvitation(actor, { orgId: org.id, ...input });
    return { message: `A new invitation to ${org.name} was sent to ${email}; the earlier link no longer works.` };
  },
);
