"use server";

import { redirect } from "next/navigation";
import { getCurrentUser } from "@/lib/auth/session";
import { AppError } from "@/lib/errors";
import { acceptInvitation } from "@/lib/orgs/members";
import type { MemberFormState } from "@/components/members/form-state";

/** Accepts an invitation; the token is the secret, checked (once) by the domain. */
export async function acceptInvitationAction(_prev: MemberFormState, form: FormData): Promise<MemberFormState> {
  const token = String(form.get("token") ?? "");
  const name = form.get("name");
  const password = form.get("password");
  const signedIn = await getCurrentUser();
  try {
    await acceptInvitation({
      token,
      signedIn,
      newAccount: typeof name === "string" && typeof password === "string" ? { name, password } : undefined,
    });
  } catch (e) {
    if (e instanceof AppError) return { ok: false, message: e.message, fields: e.details?.fields };
    throw e;
  }
  redirect(signedIn ? "/" : "/login?joined=1");
}
