"use server";

import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { action } from "@/lib/actions/action";
import { signIn } from "@/lib/auth";
import { ACTIVE_ORG_COOKIE } from "@/lib/auth/session";
import { issueSsoTicket } from "@/lib/auth/sso-ticket";
import { env } from "@/lib/env";
import { acceptInvitation, AcceptInvitationForm } from "@/lib/orgs/members";

/**
 * Accepts an invitation; the one-time token is the credential, checked (once) by the domain.
 * A new person is signed in at once, through the same one-time ticket single sign-on hands to
 * Auth.js (lib/auth/sso-ticket.ts), with the organization they joined active.
 */
export const acceptInvitationAction = action(
  { operation: null, who: "anyone", schema: AcceptInvitationForm, secret: ["password", "token"] },
  async ({ actor, input }) => {
    const newAccount = input.name !== undefined ? { name: input.name, password: input.password } : undefined;
    const joined = await acceptInvitation({ token: input.token, signedIn: actor, newAccount });
    const secure = env().APP_URL.startsWith("https://");
    if (actor) {
      if (actor.userId === joined.userId) {
        (await cookies()).set(ACTIVE_ORG_COOKIE, joined.orgId, { path: "/", httpOnly: true, sameSite: "lax", secure });
        redirect("/usage");
      }
      redirect("/");
    }
    // An email whose domain must sign in through its identity provider gets no session here.
    if (!joined.signInAllowed) redirect("/login?joined=sso");
    try {
      await signIn("sso", { ticket: issueSsoTicket({ userId: joined.userId, sessionVersion: joined.sessionVersion }), redirect: false });
    } catch {
      // The account exists and the membership is in place; only the session is missing: signing in finishes it.
      redirect("/login?joined=1");
    }
    (await cookies()).set(ACTIVE_ORG_COOKIE, joined.orgId, { path: "/", httpOnly: true, sameSite: "lax", secure });
    redirect("/usage");
  },
);
