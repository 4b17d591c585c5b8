"use server";

import { redirect } from "next/navigation";
import { action } from "@/lib/actions/action";
import { acceptInvitation, AcceptInvitationForm } from "@/lib/orgs/members";

/** Accepts an invitation; the one-time token is the credential, checked (once) by the domain. */
export const acceptInvitationAction = action(
  { operation: null, who: "anyone", schema: AcceptInvitationForm, secret: ["password", "token"] },
  async ({ actor, input }) => {
    const newAccount = input.name !== undefined && input.password !== undefined ? { name: input.name, password: input.password } : undefined;
    await acceptInvitation({ token: input.token, signedIn: actor, newAccount });
    redirect(actor ? "/" : "/login?joined=1");
  },
);
