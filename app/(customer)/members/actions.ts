"use server";
/**
 * Membership actions of the org admin. Each calls the domain function with
 * the signed-in principal; the domain checks the admin role and the tenant
 * again, so these are never the only guard.
 */
import { revalidatePath } from "next/cache";
import { requireCustomer } from "@/lib/auth/session";
import { AppError } from "@/lib/errors";
import { changeMemberRole, inviteMember, removeMember, revokeInvitation } from "@/lib/orgs/members";
import type { OrgRole } from "@/lib/auth/principal";
import type { MemberFormState } from "@/components/members/form-state";

const text = (form: FormData, key: string) => {
  const v = form.get(key);
  return typeof v === "string" ? v : "";
};

async function run(act: () => Promise<unknown>, done: string): Promise<MemberFormState> {
  try {
    await act();
  } catch (e) {
    if (e instanceof AppError) return { ok: false, message: e.message, fields: e.details?.fields };
    throw e;
  }
  revalidatePath("/members");
  return { ok: true, message: done };
}

export async function inviteAction(_prev: MemberFormState, form: FormData): Promise<MemberFormState> {
  const user = await requireCustomer();
  const email = text(form, "email");
  return run(() => inviteMember(user, { orgId: user.orgId, email, role: text(form, "role") as OrgRole }), `Invitation sent to ${email.trim().toLowerCase()}.`);
}

export async function changeRoleAction(_prev: MemberFormState, form: FormData): Promise<MemberFormState> {
  const user = await requireCustomer();
  return run(() => changeMemberRole(user, { orgId: user.orgId, userId: text(form, "userId"), role: text(form, "role") as OrgRole }), "Role updated.");
}

export async function removeMemberAction(_prev: MemberFormState, form: FormData): Promise<MemberFormState> {
  const user = await requireCustomer();
  return run(() => removeMember(user, { orgId: user.orgId, userId: text(form, "userId") }), "Member removed.");
}

export async function revokeInvitationAction(_prev: MemberFormState, form: FormData): Promise<MemberFormState> {
  const user = await requireCustomer();
  return run(() => revokeInvitation(user, { orgId: user.orgId, invitationId: text(form, "invitationId") }), "Invitation revoked.");
}
